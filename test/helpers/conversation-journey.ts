import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DialogueContent } from '../../src/records/chat-contract.js';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';
import { openJourneyService, type JourneyService } from './journey-service.js';
import { ROOT } from './widget-browser.js';
import { prepare } from './widget-flow-page.js';

/**
 * The issue-11 journey of a known visitor, shared by the browser tests that check what it leaves
 * behind (conversation-journey-browser.test.ts, and conversation-journey-routing-browser.pending.ts
 * for account routing and notifications): the service in sandbox mode, a lead of the sandbox's
 * seeded leads that Marketo knows by this browser's Munchkin cookie, a dialogue created and
 * published through the admin API, and the steps a visitor takes in it.
 */

/** Tuesday 15 December 2026, 08:00 UTC (09:00 in Berlin): agents in Europe and Asia are in. */
export const JOURNEY_START = Date.UTC(2026, 11, 15, 8, 0, 0);
export const JOURNEY_DAY = '2026-12-15';
export const VISITOR_ZONE = 'Europe/Berlin';
/** The Munchkin cookie of the visitor's browser (`_mkto_trk`), as Munchkin writes it. */
export const MUNCHKIN_COOKIE = 'id:123-ABC-456&token:_mch-127.0.0.1-1765785600000-31337';
export const PHONE = '+49 30 1234 5678';
export const PLAYBOOK = {
  title: 'Industry playbook (PDF)',
  url: 'https://acme.example/playbook.pdf',
};

/** The seeded lead the visitor is, as the first sync copied it. */
export interface KnownLead {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  company: string;
  industry: string;
}

/**
 * Captures a phone number and a picklist answer into lead fields, branches on the known lead's
 * industry (the lead's own value: the branch must be taken), offers a document, and books the
 * agents' 15-minute intro; a visitor of another industry is only thanked.
 */
export function journeyDialogue(industry: string): DialogueContent {
  return {
    name: 'Qualify and book an intro',
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['*'], exclude: [] },
    // Above the seeded welcome dialogue (10): this one is served on /demo.
    priority: 100,
    start: 'hello',
    cards: [
      {
        id: 'hello',
        type: 'message',
        text: 'Hi {{lead.firstName:"there"}}! Two quick questions.',
        next: 'phone',
      },
      {
        id: 'phone',
        type: 'input',
        text: 'What number can we call you on?',
        answer: { kind: 'phone' },
        field: 'phone',
        next: 'role',
      },
      {
        id: 'role',
        type: 'input',
        text: 'What is your role?',
        answer: {
          kind: 'picklist',
          // More options than the widget shows as buttons: a list to pick from.
          options: [
            { label: 'Marketing', value: 'Marketing Operations' },
            { label: 'Sales', value: 'Sales Leadership' },
            { label: 'IT', value: 'IT Management' },
            { label: 'Finance', value: 'Finance' },
            { label: 'Operations', value: 'Operations' },
            { label: 'Something else', value: 'Other' },
          ],
        },
        field: 'title',
        next: 'route',
      },
      {
        id: 'route',
        type: 'condition',
        branches: [
          {
            match: 'all',
            conditions: [
              { source: 'lead', field: 'industry', operator: 'equals', value: industry },
            ],
            next: 'playbook',
          },
        ],
        otherwise: 'thanks',
      },
      {
        id: 'playbook',
        type: 'document',
        text: `Here is how ${industry} teams use Acme.`,
        document: PLAYBOOK,
        next: 'meet',
      },
      {
        id: 'meet',
        type: 'booking',
        text: 'Shall we talk for 15 minutes?',
        routing: 'round-robin',
        meetingTypes: ['intro'],
        next: 'bye',
      },
      { id: 'bye', type: 'message', text: 'Talk soon!', next: null },
      { id: 'thanks', type: 'message', text: 'Thanks, we will be in touch.', next: null },
    ],
  };
}

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
 * The service after its first sync, the visitor's lead (the first seeded lead with an industry
 * and a company), Marketo's association of the browser's Munchkin cookie with it (what a form
 * fill or a tracked email click does: Associate Lead), the bot without its typing pause, and the
 * journey dialogue created and published through the admin API.
 */
export async function openJourney(env: Record<string, string> = {}): Promise<{
  journey: JourneyService;
  lead: KnownLead;
  dialogueId: string;
}> {
  const journey = await openJourneyService({ startAt: JOURNEY_START, env });
  try {
    await journey.sync();
    const ids = Array.from({ length: 40 }, (_, i) => i + 1).join(',');
    const { result } = await journey.marketo<{ result: KnownLead[] }>(
      'GET',
      `/rest/v1/leads.json?filterType=id&filterValues=${ids}` +
        '&fields=email,firstName,lastName,company,industry',
    );
    const seeded = result.find((l) => l.industry && l.company && l.email && l.firstName);
    if (seeded === undefined) throw new Error('no seeded lead has an industry and a company');
    // What the visitor is known as is the local copy's (the first sync's), not Marketo's.
    const copy = await journey.admin<{ leads: KnownLead[] }>(
      'GET',
      `/api/leads?email=${encodeURIComponent(seeded.email)}`,
    );
    const lead = copy.body.leads[0];
    if (lead === undefined) throw new Error(`the first sync did not copy ${seeded.email}`);
    await journey.marketo(
      'POST',
      `/rest/v1/leads/${lead.id}/associate.json?cookie=${encodeURIComponent(MUNCHKIN_COOKIE)}`,
    );

    const look = await journey.admin<{ bot: object }>('GET', '/api/configuration');
    const quick = { ...look.body, bot: { ...look.body.bot, responseDelaySeconds: 0 } };
    expectStatus(await journey.admin('PUT', '/api/configuration', quick), 200, 'configuration');
    const created = await journey.admin<{ id: string }>(
      'POST',
      '/api/dialogues',
      journeyDialogue(lead.industry),
    );
    expectStatus(created, 201, 'create dialogue');
    const published = await journey.admin<{ warnings?: unknown[] }>(
      'POST',
      `/api/dialogues/${created.body.id}/publish`,
    );
    expectStatus(published, 200, 'publish dialogue');
    return { journey, lead, dialogueId: created.body.id };
  } catch (error) {
    await journey.close();
    throw error;
  }
}

function expectStatus(answer: { status: number; body: unknown }, status: number, what: string) {
  if (answer.status !== status) {
    throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  }
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
