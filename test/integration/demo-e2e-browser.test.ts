import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf, spawnTs, waitForOutput } from '../helpers/spawn-service.js';

/**
 * The whole product as a new user meets it: the real service started in sandbox mode (as
 * `npm start` does), its demo page in Debian's Chromium, a visitor clicking through the seeded
 * welcome dialogue and giving an email, another booking a demo with the slot picker; then what
 * the service recorded (dialogue counters, the meeting) and what reached the sandbox Marketo
 * through the outbox (the lead, its chat activities, the meeting activity).
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

type SandboxActivity = { leadId: number; attributes: Array<{ name: string; value: unknown }> };

let browser: Browser;
let dir: string;
let service: ReturnType<typeof spawnTs>;
let base: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

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
  dir = await mkdtemp(join(tmpdir(), 'demo-e2e-'));
  const port = await freePort();
  base = `http://localhost:${port}`;
  service = spawnTs('src/main.ts', {
    DATA_FILE: join(dir, 'store.json'),
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    SANDBOX_LEADS: '200',
    OUTBOX_POLL_MS: '100',
  });
  await waitForOutput(service, /listening on/, 30_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (service && service.exitCode === null) {
    service.kill('SIGTERM');
    await exitCodeOf(service);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the demo page against the real service', () => {
  it('when a visitor clicks through the welcome dialogue and gives an email, then they see the conversation, the service counts it, and Marketo gets the lead and its activities', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/demo`);

    await page.getByRole('button', { name: /Open chat/ }).click();
    await page.getByRole('button', { name: 'See pricing' }).click();
    await page.getByLabel('Email').fill('e2e.visitor@example.org');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thanks! The price list is on its way.').waitFor();

    const seen: string[] = [];
    for (const row of await page.locator('.log .msg[data-from]').all()) {
      seen.push(
        `${await row.getAttribute('data-from')}: ${await row.locator('.text').textContent()}`,
      );
    }
    expect(seen).toEqual([
      'bot: Hi there! Welcome to Acme Analytics.',
      'bot: What brings you here today?',
      'visitor: See pricing',
      'bot: Our Team plan starts at $49 per month.',
      'bot: Where can we send the full price list?',
      'visitor: e2e.visitor@example.org',
      'bot: Thanks! The price list is on its way.',
    ]);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-artifacts/demo-e2e.png') });
    expect(errors).toEqual([]);

    // What the service recorded: the dialogue's counters.
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const admin = { Authorization: `Bearer ${token}` };
    const list = (await (await fetch(`${base}/api/dialogues`, { headers: admin })).json()) as {
      dialogues: Array<{ id: string }>;
    };
    const dialogueId = list.dialogues[0]!.id;
    const until = Date.now() + 10_000;
    let stats: Record<string, number> = {};
    while (Date.now() < until) {
      const detail = (await (
        await fetch(`${base}/api/dialogues/${dialogueId}`, { headers: admin })
      ).json()) as { stats: Record<string, number> };
      stats = detail.stats;
      if (stats.completed === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stats).toMatchObject({
      triggered: 1,
      engaged: 1,
      peopleAcquired: 1,
      goalsReached: 1,
      completed: 1,
    });

    // What reached Marketo (the sandbox) through the outbox: the lead, then its activities.
    const health = (await (await fetch(`${base}/health`)).json()) as { sandboxUrl: string };
    let activities: Array<{ leadId: number; attributes: Array<{ name: string; value: unknown }> }> =
      [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const body = (await (
        await fetch(`${health.sandboxUrl}/_sandbox/activities?type=custom`)
      ).json()) as { activities: typeof activities };
      activities = body.activities;
      if (activities.length >= 1 && JSON.stringify(activities).includes('email-given')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(JSON.stringify(activities)).toContain('email-given');
    // Every activity lands on the one lead the email created, and each event arrives once.
    expect(new Set(activities.map((a) => a.leadId)).size).toBe(1);
    const events = activities.map((a) => JSON.stringify(a.attributes));
    expect(new Set(events).size).toBe(events.length);
  }, 60_000);

  it('when a visitor books a demo with the first offered slot, then they see the confirmation with the agent, the meeting is booked, and Marketo gets its activity', async () => {
    // A new visitor (fresh storage) in Berlin.
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/demo`);

    await page.getByRole('button', { name: /Open chat/ }).click();
    await page.getByRole('button', { name: 'Book a demo' }).click();
    await page.getByText('Times in Europe/Berlin').waitFor();
    const firstDay = page.getByRole('group', { name: 'Days' }).getByRole('button').first();
    expect(await firstDay.getAttribute('aria-pressed')).toBe('true');
    const firstTime = page.locator('.reply .times button').first();
    const time = (await firstTime.textContent())!;
    const day = (await firstDay.textContent())!;
    await firstTime.click();
    await page.getByLabel('Name').fill('Erin Booker');
    await page.getByLabel('Email').fill('e2e.booker@example.org');
    await page.getByRole('button', { name: `Book ${day}, ${time}` }).click();

    const card = page.locator('.meeting');
    await card.getByText('Meeting booked').waitFor();
    const agentLine = (await card.getByText(/^With /).textContent())!;
    expect(agentLine).toMatch(/^With \S.+$/);
    expect(await card.getByText(new RegExp(`^${day}, ${time}–`)).count()).toBe(1);
    const ics = await card
      .getByRole('link', { name: 'Add to calendar (.ics)' })
      .getAttribute('href');
    expect(ics).toMatch(new RegExp(`^${base}/chat/meetings/manage/[\\w-]{43}/invite\\.ics$`));
    await page.getByText('Thanks! See you at the demo.').waitFor();
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-artifacts/demo-booking.png') });

    // The page heard meeting-booked with the meeting and its agent.
    await page.locator('#event-log li[data-event="meeting-booked"]').waitFor();
    const detail = JSON.parse(
      (await page
        .locator('#event-log li[data-event="meeting-booked"]')
        .getAttribute('data-detail'))!,
    ) as { agentName: string; meetingInfo: { id: string; start: string; timeZone: string } };
    expect(`With ${detail.agentName}`).toBe(agentLine);
    expect(detail.meetingInfo.timeZone).toBe('Europe/Berlin');
    const meetingId = detail.meetingInfo.id;

    // The service holds the meeting as booked, for this visitor, at the time picked.
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const admin = { Authorization: `Bearer ${token}` };
    const { meetings } = (await (
      await fetch(`${base}/api/meetings`, { headers: admin })
    ).json()) as {
      meetings: Array<{
        id: string;
        status: string;
        agentName: string;
        startIso: string;
        visitor: { email: string; name?: string; timeZone?: string };
      }>;
    };
    const meeting = meetings.find((m) => m.id === meetingId);
    expect(meeting).toMatchObject({
      status: 'booked',
      agentName: detail.agentName,
      startIso: new Date(detail.meetingInfo.start).toISOString(),
      visitor: { email: 'e2e.booker@example.org', name: 'Erin Booker', timeZone: 'Europe/Berlin' },
    });
    expect(errors).toEqual([]);
    await context.close();

    // The meeting activity reaches the sandbox Marketo through the outbox, with its event id.
    const health = (await (await fetch(`${base}/health`)).json()) as { sandboxUrl: string };
    const eventId = `meeting:${meetingId}#1`;
    let found: SandboxActivity | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && found === undefined) {
      const body = (await (
        await fetch(`${health.sandboxUrl}/_sandbox/activities?type=custom`)
      ).json()) as { activities: SandboxActivity[] };
      found = body.activities.find((a) =>
        a.attributes.some((attr) => attr.name === 'Event ID' && attr.value === eventId),
      );
      if (found === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    expect(found, `no meeting activity ${eventId} reached the sandbox`).toBeDefined();
    const attributes = Object.fromEntries(found!.attributes.map((a) => [a.name, a.value]));
    expect(attributes).toMatchObject({
      'Meeting Status': 'booked',
      'Agent Name': detail.agentName,
      'Scheduled For': new Date(detail.meetingInfo.start).toISOString(),
    });
  }, 60_000);

  it('when a lead follows the booking link of a Marketo email, then plain pages book a meeting with that agent, and its own link cancels it, all as forms in a real browser', async () => {
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const admin = { Authorization: `Bearer ${token}` };
    const { agents } = (await (await fetch(`${base}/api/agents`, { headers: admin })).json()) as {
      agents: Array<{ id: string; name: string }>;
    };
    const agent = agents[1]!;
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin' });
    const page = await context.newPage();
    await page.goto(`${base}/chat/book?agent=${agent.id}`);
    await page.getByRole('heading', { name: `Book a meeting with ${agent.name}` }).waitFor();
    await page.locator('a.button[href^="/chat/book/confirm"]').first().click();
    await page.getByLabel('Name').fill('Pat Page');
    await page.getByLabel('Email').fill('pat.page@example.org');
    await page.getByRole('button', { name: 'Book' }).click();
    await page.getByRole('heading', { name: 'Your meeting' }).waitFor();
    expect(page.url()).toMatch(/\/chat\/meetings\/manage\/[\w-]{43}$/);
    expect(await page.textContent('body')).toContain(`With ${agent.name}`);

    await page.getByRole('link', { name: 'Cancel the meeting' }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('Your meeting is cancelled.').waitFor();
    await page.screenshot({ path: join(ROOT, 'test-artifacts/book-page-cancelled.png') });
    await context.close();

    const { meetings } = (await (
      await fetch(`${base}/api/meetings?agentId=${agent.id}`, { headers: admin })
    ).json()) as { meetings: Array<{ status: string; visitor: { email: string } }> };
    expect(meetings.find((m) => m.visitor.email === 'pat.page@example.org')?.status).toBe(
      'cancelled',
    );
  }, 60_000);
});
