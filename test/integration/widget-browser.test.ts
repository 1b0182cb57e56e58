import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import express from 'express';
import { DateTime } from 'luxon';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ACME_DIALOGUE } from '../helpers/fake-chat-server.js';
import { launcherOf, openPage, ROOT, useWidgetBrowser } from '../helpers/widget-browser.js';

/**
 * The widget in Chromium on a desktop (test/helpers/widget-browser.ts): the demo page's
 * dialogue, reloads, booking, and another site's page. Phones: widget-phone.test.ts.
 */

const SCREENSHOT = join(ROOT, 'test-artifacts/widget-demo.png');
const BOOKING_SCREENSHOT = join(ROOT, 'test-artifacts/widget-booking.png');
const ID = /^[A-Za-z0-9_-]{8,64}$/;

const { listen, startService, newContext: newBrowserContext } = useWidgetBrowser();

/** A visitor in Berlin with British English: the zone the widget detects, the labels it shows. */
async function newContext(baseUrl: string): Promise<BrowserContext> {
  const context = await newBrowserContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  });
  // Munchkin's cookie, as a site running Munchkin would have it.
  await context.addCookies([
    {
      name: '_mkto_trk',
      value: 'id:123-ABC-456&token:_mch-acme-1700000000000-12345',
      url: baseUrl,
    },
  ]);
  return context;
}

/** What the visitor sees in the conversation, in order, as `bot: text` / `visitor: text`. */
async function transcript(page: Page): Promise<string[]> {
  const lines: string[] = [];
  for (const row of await page.locator('.log .msg[data-from]').all()) {
    lines.push(
      `${await row.getAttribute('data-from')}: ${await row.locator('.text').textContent()}`,
    );
  }
  return lines;
}

/** The browser events the demo page logged, with their details. */
async function pageEvents(
  page: Page,
): Promise<Array<{ name: string; detail: Record<string, unknown> }>> {
  const events = [];
  for (const item of await page.locator('#event-log li').all()) {
    events.push({
      name: (await item.getAttribute('data-event')) ?? '',
      detail: JSON.parse((await item.getAttribute('data-detail')) ?? 'null') as Record<
        string,
        unknown
      >,
    });
  }
  return events;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isFocused = (locator: Locator) =>
  locator.evaluate((node) => node === node.getRootNode().activeElement);

/** The text of the focused control inside the widget's shadow root. */
const focusedText = (page: Page) =>
  page.evaluate<string | null>(
    "document.querySelector('[data-marketo-chat]').shadowRoot.activeElement?.textContent ?? null",
  );

const PRICING_BRANCH = [
  'bot: Hi there! Welcome to Acme Analytics.',
  'bot: What brings you here today?',
  'visitor: See pricing',
  'bot: Our Team plan starts at $49 per month.',
  'bot: Where can we send the full price list?',
];

describe('chat widget in Chromium', () => {
  it('when a visitor chooses pricing and gives an email on the demo page, then they see the branch and the service and page get every event', async () => {
    const { baseUrl, fake } = await startService();
    const { page, errors } = await openPage(await newContext(baseUrl), `${baseUrl}/demo`);

    const launcher = launcherOf(page);
    await launcher.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await launcher.click();
    const panel = page.getByRole('dialog', { name: 'Acme Assistant' });
    await panel.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');

    await page.getByRole('button', { name: 'See pricing' }).click();
    await page.getByLabel('Email').fill('jane@mailinator.com');
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'Emails from this domain are not accepted' }).waitFor();

    await page.getByLabel('Email').fill('jane@acme-customer.example');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thanks! The price list is on its way.').waitFor();

    expect(await transcript(page)).toEqual([
      ...PRICING_BRANCH,
      'visitor: jane@acme-customer.example',
      'bot: Thanks! The price list is on its way.',
    ]);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // What the service recorded.
    await eventually(() => fake.events.some((e) => e.type === 'completed'), 'the completed event');
    expect(fake.events.map((e) => e.type)).toEqual([
      'triggered',
      'engaged',
      'goal-reached',
      'email-given',
      'completed',
    ]);
    const [resolved] = fake.resolveRequests;
    expect(fake.resolveRequests).toHaveLength(1);
    expect(resolved).toEqual({
      pageUrl: `${baseUrl}/demo`,
      visitor: {
        anonymousId: expect.stringMatching(ID),
        mktoTrk: 'id:123-ABC-456&token:_mch-acme-1700000000000-12345',
      },
    });
    const conversationId = fake.events[0]!.conversationId;
    expect(conversationId).toMatch(ID);
    for (const event of fake.events) {
      expect(event).toMatchObject({
        dialogueId: 'dlg-welcome',
        dialogueVersion: 1,
        conversationId,
        pageUrl: `${baseUrl}/demo`,
        visitor: { anonymousId: resolved!.visitor.anonymousId },
      });
    }
    expect(new Set(fake.events.map((e) => e.eventId)).size).toBe(fake.events.length);
    expect(fake.events.find((e) => e.type === 'goal-reached')?.value).toBe('Saw pricing');
    expect(fake.events.find((e) => e.type === 'email-given')).toMatchObject({
      value: 'jane@acme-customer.example',
      visitor: { email: 'jane@acme-customer.example' },
    });
    expect(fake.events.at(-1)?.visitor.email).toBe('jane@acme-customer.example');
    expect(fake.refused).toEqual([
      {
        body: expect.objectContaining({ type: 'email-given', value: 'jane@mailinator.com' }),
        code: 'EMAIL_DOMAIN_BLOCKED',
      },
    ]);
    expect(fake.configRequests).toEqual([{ ifNoneMatch: undefined, status: 200 }]);

    // What the page heard.
    await page.locator('#event-log li[data-event="completed"]').waitFor();
    const heard = await pageEvents(page);
    expect(heard.map((e) => e.name)).toEqual([
      'ready',
      'triggered',
      'engaged',
      'goal-reached',
      'email-given',
      'completed',
    ]);
    const about = {
      dialogueId: 'dlg-welcome',
      dialogueVersion: 1,
      dialogueName: 'Website welcome',
      conversationId,
    };
    expect(heard[0]!.detail).toEqual({
      dialogue: { id: 'dlg-welcome', version: 1, name: 'Website welcome' },
      conversationId,
    });
    expect(heard[1]!.detail).toEqual(about);
    expect(heard[3]!.detail).toEqual({ ...about, goal: 'Saw pricing' });
    expect(heard[4]!.detail).toEqual({ ...about, email: 'jane@acme-customer.example' });
    expect(heard[5]!.detail).toEqual(about);
    // Chrome logs the refused email's 400; nothing else went wrong (CSP, CORS, scripts).
    expect(errors).toEqual([expect.stringMatching(/status of 400 .*\/chat\/events\)$/)]);

    // A completed dialogue is not shown again.
    await page.reload();
    await page.locator('#event-log li[data-event="ready"]').waitFor();
    expect((await pageEvents(page))[0]).toEqual({
      name: 'ready',
      detail: { dialogue: null, reason: 'already completed by this visitor' },
    });
    expect(await launcher.count()).toBe(0);
  });

  it('when an engaged visitor reloads, and again after a republish, then the conversation goes on where it was, in the version it started with', async () => {
    const { baseUrl, fake } = await startService();
    const { page, errors } = await openPage(await newContext(baseUrl), `${baseUrl}/demo`);
    await launcherOf(page).click();
    await page.getByRole('button', { name: 'See pricing' }).click();
    await page.getByLabel('Email').waitFor();
    expect(await transcript(page)).toEqual(PRICING_BRANCH);

    await page.reload();
    await launcherOf(page).click();
    await page.getByLabel('Email').waitFor();
    expect(await transcript(page)).toEqual(PRICING_BRANCH);
    const firstEtag = '"fake-config-1"';
    expect(fake.configRequests).toEqual([
      { ifNoneMatch: undefined, status: 200 },
      { ifNoneMatch: firstEtag, status: 304 },
    ]);

    fake.publish({
      ...ACME_DIALOGUE,
      cards: ACME_DIALOGUE.cards.map((card) =>
        card.id === 'thanks' ? { ...card, text: 'Version two says thanks.' } : card,
      ),
    });
    await page.reload();
    await launcherOf(page).click();
    await page.getByLabel('Email').fill('sam@acme-customer.example');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thanks! The price list is on its way.').waitFor();
    expect(await page.getByText('Version two says thanks.').count()).toBe(0);
    expect(fake.configRequests.at(-1)).toEqual({ ifNoneMatch: firstEtag, status: 200 });

    await eventually(() => fake.events.some((e) => e.type === 'completed'), 'the completed event');
    // Triggered and engaged once per session, however many page views.
    expect(fake.events.map((e) => e.type)).toEqual([
      'triggered',
      'engaged',
      'goal-reached',
      'email-given',
      'completed',
    ]);
    expect(new Set(fake.events.map((e) => e.conversationId)).size).toBe(1);
    expect(fake.events.every((e) => e.dialogueVersion === 1)).toBe(true);
    expect(fake.resolveRequests).toHaveLength(3);
    expect(new Set(fake.resolveRequests.map((r) => r.visitor.anonymousId)).size).toBe(1);
    expect(errors).toEqual([]);
  });

  it('when a keyboard user books a demo and the first answer is lost, then they pick a slot in their zone, book once, and see the confirmation', async () => {
    const { baseUrl, fake } = await startService();
    const { page, errors } = await openPage(await newContext(baseUrl), `${baseUrl}/demo`);
    const launcher = launcherOf(page);
    await launcher.focus();
    await page.keyboard.press('Enter');
    // The first choice takes the focus when it appears, since the visitor is in the panel.
    const demo = page.getByRole('button', { name: 'Book a demo' });
    await page.getByRole('button', { name: 'See pricing' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await isFocused(demo)).toBe(true);
    await page.keyboard.press('Enter');

    // The picker asks in the browser's zone; its first day is chosen and has the focus.
    const days = page.getByRole('group', { name: 'Days' }).getByRole('button');
    await days.first().waitFor();
    expect(fake.slotRequests).toEqual([
      { from: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), days: 7, timeZone: 'Europe/Berlin' },
    ]);
    const from = fake.slotRequests[0]!.from!;
    expect(await days.count()).toBe(7);
    expect(await days.first().getAttribute('aria-pressed')).toBe('true');
    expect(await isFocused(days.first())).toBe(true);
    await page.getByText('Times in Europe/Berlin').waitFor();
    // Tab past the days to the first time of the first day.
    for (let i = 0; i < 7; i++) await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('10:00');
    await page.keyboard.press('Enter');

    // The form focuses its first field as it appears.
    await page.getByLabel('Name').waitFor();
    fake.loseBookingAnswers(1);
    await page.keyboard.type('Sam Lee');
    await page.keyboard.press('Tab');
    await page.keyboard.type('sam@acme-customer.example');
    await page.keyboard.press('Enter');
    const card = page.locator('.meeting');
    await card.getByText('Meeting booked').waitFor();
    await page.getByText('Thanks, we will confirm your demo by email.').waitFor();

    // One meeting: the retry after the lost answer had the same key and was replayed.
    const start = DateTime.fromISO(`${from}T10:00`, { zone: 'Europe/Berlin' }).toISO()!;
    expect(fake.bookingRequests).toHaveLength(2);
    expect(fake.bookingRequests[1]).toEqual(fake.bookingRequests[0]);
    const conversationId = fake.events[0]!.conversationId;
    expect(fake.bookingRequests[0]).toEqual({
      start,
      email: 'sam@acme-customer.example',
      name: 'Sam Lee',
      timeZone: 'Europe/Berlin',
      idempotencyKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      dialogueId: 'dlg-welcome',
      conversationId,
      anonymousId: fake.resolveRequests[0]!.visitor.anonymousId,
      // The page's `_mkto_trk` cookie, as resolve got it: it proves the lead routing may use.
      mktoTrk: fake.resolveRequests[0]!.visitor.mktoTrk,
    });
    expect(fake.bookingRequests[0]!['mktoTrk']).toBe(
      'id:123-ABC-456&token:_mch-acme-1700000000000-12345',
    );
    expect(fake.meetings).toHaveLength(1);
    const meeting = fake.meetings[0]!;

    // The confirmation: agent, local time, the join and calendar links, the actions.
    const when = DateTime.fromISO(start, { setZone: true });
    const day = when.setLocale('en-GB').toFormat('ccc d LLL');
    expect(await card.getByText(`${day}, 10:00–10:30 (Europe/Berlin)`).count()).toBe(1);
    expect(await card.getByText('With Alex Rivera').count()).toBe(1);
    const join = card.getByRole('link', { name: 'Join the meeting' });
    expect(await join.getAttribute('href')).toBe(meeting.meetingUrl);
    expect(await join.getAttribute('rel')).toBe('noopener noreferrer');
    const ics = card.getByRole('link', { name: 'Add to calendar (.ics)' });
    expect(await ics.getAttribute('href')).toBe(meeting.icsUrl);
    await card.getByRole('button', { name: 'Cancel meeting' }).waitFor();
    mkdirSync(dirname(BOOKING_SCREENSHOT), { recursive: true });
    await page.screenshot({ path: BOOKING_SCREENSHOT });

    expect(await transcript(page)).toEqual([
      'bot: Hi there! Welcome to Acme Analytics.',
      'bot: What brings you here today?',
      'visitor: Book a demo',
      "bot: Let's find a time for your demo.",
      `visitor: ${day}, 10:00 · Sam Lee · sam@acme-customer.example`,
      'bot: Thanks, we will confirm your demo by email.',
    ]);
    await eventually(() => fake.events.some((e) => e.type === 'completed'), 'the completed event');
    expect(fake.events.map((e) => [e.type, e.value])).toEqual([
      ['triggered', undefined],
      ['engaged', undefined],
      ['email-given', 'sam@acme-customer.example'],
      ['meeting-booked', meeting.id],
      ['completed', undefined],
    ]);
    await page.locator('#event-log li[data-event="completed"]').waitFor();
    const booked = (await pageEvents(page)).find((e) => e.name === 'meeting-booked');
    expect(booked?.detail).toEqual({
      dialogueId: 'dlg-welcome',
      dialogueVersion: 1,
      dialogueName: 'Website welcome',
      conversationId,
      agentName: 'Alex Rivera',
      agentID: 'agt_fake_1',
      meetingInfo: {
        id: meeting.id,
        start,
        end: when.plus({ minutes: 30 }).toISO(),
        timeZone: 'Europe/Berlin',
        meetingUrl: meeting.meetingUrl,
      },
      name: 'Sam Lee',
      email: 'sam@acme-customer.example',
    });

    // Escape closes the panel and gives the focus back to the launcher.
    await page.getByRole('dialog').focus();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await isFocused(launcher)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('when the chosen time is taken before the visitor books, then they see why and that day as it is now, book another time, and can cancel it', async () => {
    const { baseUrl, fake } = await startService();
    const { page, errors } = await openPage(await newContext(baseUrl), `${baseUrl}/demo`);
    await launcherOf(page).click();
    await page.getByRole('button', { name: 'Book a demo' }).click();
    const times = page.locator('.reply .times');
    await times.getByRole('button', { name: '10:00' }).waitFor();
    const from = fake.slotRequests[0]!.from!;
    const taken = DateTime.fromISO(`${from}T10:00`, { zone: 'Europe/Berlin' });
    fake.takeSlot(taken.toISO()!);

    await times.getByRole('button', { name: '10:00' }).click();
    await page.getByLabel('Name').fill('Kim Park');
    await page.getByLabel('Email').fill('kim@acme-customer.example');
    await page.getByRole('button', { name: /^Book / }).click();

    await page
      .getByRole('alert')
      .filter({ hasText: 'That time is no longer available: please pick another slot' })
      .waitFor();
    expect(await times.getByRole('button').allTextContents()).toEqual(['10:30', '14:00']);
    const day = taken.setLocale('en-GB').toFormat('ccc d LLL');
    expect(await times.getAttribute('aria-label')).toBe(day);
    await times.getByRole('button', { name: '10:30' }).click();
    // The answers were given once; the form asks again for the new time.
    await page.getByLabel('Name').fill('Kim Park');
    await page.getByLabel('Email').fill('kim@acme-customer.example');
    await page.getByRole('button', { name: `Book ${day}, 10:30` }).click();
    const card = page.locator('.meeting');
    await card.getByText('Meeting booked').waitFor();

    expect(fake.bookingRequests.map((b) => b.start)).toEqual([
      taken.toISO(),
      taken.plus({ minutes: 30 }).toISO(),
    ]);
    const [first, second] = fake.bookingRequests;
    expect(first!.idempotencyKey).not.toBe(second!.idempotencyKey);
    expect(fake.meetings.map((m) => [m.start, m.status])).toEqual([
      [taken.plus({ minutes: 30 }).toISO(), 'booked'],
    ]);

    await card.getByRole('button', { name: 'Cancel meeting' }).click();
    await card.getByRole('button', { name: 'Yes, cancel it' }).click();
    await card.getByText('Meeting cancelled').waitFor();
    expect(await card.getByRole('button').count()).toBe(0);
    expect(fake.meetings[0]!.status).toBe('cancelled');
    // Chrome logs the 409; nothing else went wrong.
    expect(errors).toEqual([expect.stringMatching(/status of 409 .*\/chat\/meetings\)$/)]);
  });

  it('when another site embeds the tag, then the widget calls the service it was loaded from, across origins', async () => {
    const { baseUrl, fake } = await startService();
    const site = express();
    site.get('/shop', (_req, res) => {
      res.send(
        `<!doctype html><title>Shop</title><link rel="icon" href="data:,"><h1>Shop</h1><script src="${baseUrl}/widget.js" async></script>`,
      );
    });
    const { port } = await listen(site, '127.0.0.1');
    const siteOrigin = `http://localhost:${port}`;

    const context = await newContext(baseUrl);
    const { page, errors } = await openPage(context, `${siteOrigin}/shop`);
    await launcherOf(page).waitFor();
    await page.reload();
    await launcherOf(page).waitFor();

    expect(fake.resolveRequests.map((r) => r.pageUrl)).toEqual([
      `${siteOrigin}/shop`,
      `${siteOrigin}/shop`,
    ]);
    // The ETag was readable cross-origin (exposed), so the second page view revalidated.
    expect(fake.configRequests).toEqual([
      { ifNoneMatch: undefined, status: 200, origin: siteOrigin },
      { ifNoneMatch: '"fake-config-1"', status: 304, origin: siteOrigin },
    ]);
    await eventually(() => fake.events.length === 1, 'the triggered event');
    expect(fake.events[0]).toMatchObject({ type: 'triggered', pageUrl: `${siteOrigin}/shop` });
    expect(errors).toEqual([]);
  });
});
