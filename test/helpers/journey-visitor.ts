import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';
import {
  MUNCHKIN_COOKIE,
  PHONE,
  PLAYBOOK,
  VISITOR_ZONE,
  type KnownLead,
} from './conversation-journey.js';
import type { JourneyService } from './journey-service.js';
import { ROOT } from './widget-browser.js';
import { prepare } from './widget-flow-page.js';

/** The visitor's side of the issue-11 journey (conversation-journey.ts): browser, page, steps. */

/** Debian's Chromium for the file's tests (one browser), and the widget bundle built. */
export function useJourneyBrowser(): { browser: () => Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `This test needs Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\`.`,
      );
    }
    const build = (await import(pathToFileURL(join(ROOT, 'scripts/build-widget.mjs')).href)) as {
      ensureWidgetBuilt(): Promise<unknown>;
    };
    await build.ensureWidgetBuilt();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return {
    browser: () => {
      if (browser === undefined) throw new Error('the browser is not started');
      return browser;
    },
  };
}

/**
 * The visitor's browser: Berlin time and the service's clock (time flows from JOURNEY_START),
 * the Munchkin cookie on the site, the page's `marketo-chat:*` events recorded, the document's
 * host answered locally (widget-flow-page.ts `prepare`).
 */
export async function newVisitorContext(
  browser: Browser,
  journey: JourneyService,
): Promise<BrowserContext> {
  const context = await prepare(
    await browser.newContext({ timezoneId: VISITOR_ZONE, locale: 'en-GB' }),
  );
  await context.clock.install({ time: journey.clock.now() });
  await context.addCookies([{ name: '_mkto_trk', value: MUNCHKIN_COOKIE, url: journey.base }]);
  return context;
}

/** What the visitor did, as the page saw it. */
export interface JourneyDriven {
  conversationId: string;
  meetingId: string;
  agentName: string;
  /** The slot the visitor booked, as the widget sent it. */
  start: string;
}

/** The `/chat/events` request of this event type (the widget sends them in order). */
export function eventSent(p: Page, type: string) {
  return p.waitForResponse(
    (res) =>
      res.url().endsWith('/chat/events') &&
      res.request().method() === 'POST' &&
      (res.request().postDataJSON() as { type?: string } | null)?.type === type,
  );
}

/**
 * The visitor on the demo page: opens the chat, is greeted by name, gives a phone number (a bad
 * one first, refused in the widget), picks a role, is offered the playbook and opens it (a new
 * tab), takes the first 15-minute slot offered and books it with their name and email. Resolves
 * once the widget's last event (`completed`) has been acknowledged by the service.
 */
export async function driveJourney(
  p: Page,
  journey: JourneyService,
  lead: KnownLead,
): Promise<JourneyDriven> {
  await p.goto(`${journey.base}/demo`);
  await p.getByRole('button', { name: /^Open chat/ }).click();
  await p.getByText(`Hi ${lead.firstName}! Two quick questions.`).waitFor();

  const phone = p.getByLabel('What number can we call you on?');
  await phone.fill('12ab');
  await p.getByRole('button', { name: 'Send' }).click();
  await p.getByText('Please enter a phone number.').waitFor();
  await phone.fill(PHONE);
  await p.getByRole('button', { name: 'Send' }).click();

  await p
    .getByRole('combobox', { name: 'What is your role?' })
    .selectOption({ label: 'Marketing' });
  await p.getByRole('button', { name: 'Send' }).click();

  // The condition card took the industry branch: the playbook is offered.
  const playbook = p.getByRole('link', { name: PLAYBOOK.title });
  await playbook.waitFor();
  const opened = eventSent(p, 'document-opened');
  const [tab] = await Promise.all([p.context().waitForEvent('page'), playbook.click()]);
  await tab.close();
  await opened;

  await p.getByText('Shall we talk for 15 minutes?').waitFor();
  const firstTime = p.locator('.reply .times button').first();
  await firstTime.click();
  await p.getByLabel('Name').fill(`${lead.firstName} ${lead.lastName}`);
  await p.getByLabel('Email').fill(lead.email);
  const completed = eventSent(p, 'completed');
  await p.getByRole('button', { name: /^Book / }).click();
  await p.locator('.meeting').getByText('Meeting booked').waitFor();
  await p.getByText('Talk soon!').waitFor();
  await completed;

  const booked = (
    await p.evaluate<Array<{ name: string; detail: Record<string, unknown> }>>('window.heard')
  ).find((e) => e.name === 'meeting-booked');
  if (booked === undefined) throw new Error('the page heard no marketo-chat:meeting-booked');
  const detail = booked.detail as {
    conversationId: string;
    agentName: string;
    meetingInfo: { id: string; start: string };
  };
  return {
    conversationId: detail.conversationId,
    meetingId: detail.meetingInfo.id,
    agentName: detail.agentName,
    start: detail.meetingInfo.start,
  };
}
