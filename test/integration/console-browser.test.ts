import bcrypt from 'bcryptjs';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createService, type Service } from '../../src/service.js';
import { CHROMIUM, CHROMIUM_FLAGS } from '../helpers/chromium.js';
import {
  ensureConsoleBuilt,
  listenOnFreePort,
  seriousAxeViolations,
} from '../helpers/console-browser.js';
import { ADMIN_AUTH, createTestConfig } from '../helpers/test-service.js';
import { ROOT } from '../helpers/widget-browser.js';

/**
 * The console in Debian's Chromium against the whole service in sandbox mode (createService, as
 * main.ts builds it, with its seeded dialogue and agents, and one meeting booked through the
 * public API): sign in with the password, walk every tab (axe-core, and a screenshot at 1280
 * and 375 px under test-artifacts/console/), make one change in each editable tab, including
 * building and publishing a dialogue with a branch in the designer, and check each change
 * through the admin API.
 */
const PASSWORD = 'console password for the browser test';
const ARTIFACTS = join(ROOT, 'test-artifacts/console');
const TABS = [
  'Integrations',
  'Dialogues',
  'Configuration',
  'Calendar',
  'Meetings',
  'Routing',
  'Reports',
] as const;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let service: Service;
let base: string;
let closeServer: () => Promise<void>;
let dir: string;
const errors: string[] = [];

/**
 * Waits in the page until every card on the graph is measured (xyflow hides a card until its
 * size and handles are known) and the view's and the cards' transforms have stayed the same for
 * three animation frames; true when they did within 300 frames. Page code as a string: this file
 * is typed for node, and the console's CSP forbids the eval that waitForFunction polls with.
 */
const GRAPH_SETTLED = `(async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let key = '';
  let same = 0;
  for (let i = 0; i < 300 && same < 3; i += 1) {
    await frame();
    const nodes = [...document.querySelectorAll('.react-flow__node')];
    const viewport = document.querySelector('.react-flow__viewport');
    const measured = viewport && nodes.every((n) => getComputedStyle(n).visibility === 'visible');
    const next = measured
      ? viewport.style.transform + '|' + nodes.map((n) => n.style.transform).join(';')
      : '';
    same = measured && next === key ? same + 1 : 0;
    key = next;
  }
  return same >= 3;
})()`;

async function apiGet<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: ADMIN_AUTH });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/**
 * The API's answer once `check` holds on it: the page's writes and the sync they start run
 * apart from the test. Polled on a condition (vitest's expect.poll), with a bound generous
 * enough for a loaded machine; a check that never holds fails the test here, naming it.
 */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let value: T | undefined;
  await expect
    .poll(
      async () => {
        value = await read();
        return check(value);
      },
      { timeout: 20_000, interval: 100 },
    )
    .toBe(true);
  return value as T;
}

async function openTab(name: (typeof TABS)[number]): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Console sections' })
    .getByRole('link', { name })
    .click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The console browser test needs Chromium at ${CHROMIUM}.`);
  }
  await ensureConsoleBuilt();
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'console-browser-'));
  service = await createService(
    createTestConfig({
      DATA_FILE: join(dir, 'store.json'),
      SANDBOX_PORT: '0',
      SANDBOX_LEADS: '50',
      // Cost 4: the lowest bcrypt takes, so signing in costs no test time.
      ADMIN_PASSWORD_HASH: bcrypt.hashSync(PASSWORD, 4),
    }),
    { logger: silentLogger },
  );
  const listening = await listenOnFreePort(service.app);
  base = listening.base;
  closeServer = listening.close;
  // One meeting to show and change: booked as the widget would.
  const agents = await apiGet<{ agents: Array<{ id: string }> }>('/api/agents');
  const slots = (await (
    await fetch(`${base}/chat/slots?timeZone=UTC&days=14&agentId=${agents.agents[0]!.id}`)
  ).json()) as { days: Array<{ slots: Array<{ start: string }> }> };
  const booked = await fetch(`${base}/chat/meetings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      start: slots.days[0]!.slots[0]!.start,
      email: 'visitor@example.org',
      name: '<img src=x onerror=alert(1)> Visitor',
      agentId: agents.agents[0]!.id,
    }),
  });
  expect(booked.status).toBe(201);
  // One dead letter to show and re-send (the jobs do not run here: it then stays pending).
  const now = Date.now();
  await service.store.enqueueOutbox(
    [{ kind: 'marketo-chat-activity', dedupeKey: 'chat:dead-1', payload: { email: 'd@x.org' } }],
    now,
  );
  const [claimed] = await service.store.claimOutbox({
    now,
    limit: 1,
    leaseMs: 1_000,
    kinds: ['marketo-chat-activity'],
  });
  await service.store.failOutbox({
    id: claimed!.id,
    leaseToken: claimed!.lease!.token,
    now,
    error: 'MARKETO_LEAD_NOT_FOUND: activity skipped: 1004 Lead not found',
    dead: true,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(5_000);
  page.on('console', (message) => {
    // The 400 and 401 the test provokes on purpose (a bad colour, a bad card, a wrong password)
    // are logged by Chromium as failed resources.
    if (message.type() === 'error' && !/status of 40[01]/.test(message.text())) {
      errors.push(message.text());
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('dialog', (dialog) => {
    errors.push(`unexpected dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await closeServer?.();
  await service?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the console in a browser', { timeout: 30_000 }, () => {
  it('when the admin signs in with the password, then the session cookie is HttpOnly and SameSite=Strict', async () => {
    await page.goto(`${base}/console/`);
    await page.getByLabel('Password', { exact: true }).fill('a wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.field .error').textContent()).toBe('Wrong password.');
    // What was typed stays.
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe(
      'a wrong password',
    );
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Integrations' }).waitFor();
    const session = (await context.cookies()).find((c) => c.name === 'mc-console');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('when every tab is opened at 1280 and 375 px, then axe-core finds no serious violation and each is saved as a screenshot', async () => {
    const found: Record<string, unknown> = {};
    for (const tab of TABS) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await openTab(tab);
      // Each tab says "Loading…" until its data is in.
      // (A locator, not waitForFunction: its polling evaluates strings, which the CSP forbids.)
      await page.locator('main', { hasText: 'Loading…' }).waitFor({ state: 'detached' });
      const violations = await seriousAxeViolations(page);
      if (violations.length > 0) found[`${tab} 1280`] = violations;
      await page.screenshot({
        path: join(ARTIFACTS, `${tab.toLowerCase()}-1280.png`),
        fullPage: true,
      });
      await page.setViewportSize({ width: 375, height: 800 });
      const narrow = await seriousAxeViolations(page);
      if (narrow.length > 0) found[`${tab} 375`] = narrow;
      // Nothing wider than the phone: no sideways scrolling of the page itself.
      // Evaluated in the page (a string: this file is typed for node, without the DOM).
      const overflow = (await page.evaluate(`(() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > width + 1)
          .slice(0, 3)
          .map((e) => e.tagName + '.' + e.className);
        return { by: document.documentElement.scrollWidth - width, wide };
      })()`)) as { by: number; wide: string[] };
      // Tables scroll inside their own box; the page itself must not.
      expect(overflow.by, `${tab} at 375 px scrolls sideways: ${overflow.wide.join(', ')}`).toBe(0);
      await page.screenshot({
        path: join(ARTIFACTS, `${tab.toLowerCase()}-375.png`),
        fullPage: true,
      });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(found).toEqual({});
  });

  it('when "Sync now", "Full re-sync", "Test connection" and "Re-send" are pressed on Integrations, then the runs are recorded, the test answers and the dead letter waits again', async () => {
    type Status = {
      lastRun: { runId: string; mode: string } | null;
      state: string;
      recentRuns: unknown[];
    };
    const settled = (s: Status) => s.state !== 'running';
    const before = await eventually(() => apiGet<Status>('/api/sync/status'), settled);
    await openTab('Integrations');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connection works: Marketo issued a token').waitFor();

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText('The sync started.').waitFor();
    const after = await eventually(
      () => apiGet<Status>('/api/sync/status'),
      (s) => settled(s) && s.lastRun?.runId !== before.lastRun?.runId,
    );
    expect(after.lastRun?.runId).not.toBe(before.lastRun?.runId);

    await page.reload();
    await page.getByRole('button', { name: 'Full re-sync' }).click();
    await page.getByText('The full re-sync started').waitFor();
    const full = await eventually(
      () => apiGet<Status>('/api/sync/status'),
      (s) => settled(s) && s.lastRun?.runId !== after.lastRun?.runId,
    );
    expect(full.lastRun?.mode).toBe('full');
    expect(full.recentRuns).toHaveLength(before.recentRuns.length + 2);
    await page.reload();
    await expect
      .poll(() => page.getByRole('table', { name: 'Sync runs' }).locator('tbody tr').count())
      .toBe(full.recentRuns.length);

    type Outbox = { pending: number; dead: number };
    const queued = await apiGet<Outbox>('/api/outbox');
    expect(await page.getByTestId('outbox-dead').textContent()).toBe(String(queued.dead));
    await page.getByRole('button', { name: 'Re-send marketo-chat-activity' }).click();
    await page.getByText('Queued to be sent again.').waitFor();
    expect(await apiGet<Outbox>('/api/outbox')).toMatchObject({
      pending: queued.pending + 1,
      dead: queued.dead - 1,
    });
    await expect
      .poll(() => page.getByTestId('outbox-dead').textContent())
      .toBe(String(queued.dead - 1));
  });

  it('when the look and feel is edited, then a bad colour is refused beside its field, the input kept, and the fixed form is saved', async () => {
    await openTab('Configuration');
    await page
      .frameLocator('iframe[title="Widget preview"]')
      .getByText(/I am Assistant/)
      .waitFor();
    await page.getByLabel('Bot name').fill('Ada <b>Bot</b>');
    // The real widget in the preview follows the form as it is typed, as text.
    await page
      .frameLocator('iframe[title="Widget preview"]')
      .getByText('Hi there! I am Ada <b>Bot</b>. What brings you here today?')
      .waitFor();
    await page.getByLabel('Primary colour').fill('blue');
    await page.getByRole('button', { name: 'Save look and feel' }).click();
    const primary = page.locator('.field', { has: page.getByLabel('Primary colour') });
    await expect.poll(() => primary.locator('.error').textContent()).toMatch(/hex colour/);
    expect(await page.getByLabel('Primary colour').inputValue()).toBe('blue');
    await page.getByLabel('Primary colour').fill('#0b5cad');
    await page.getByRole('button', { name: 'Save look and feel' }).click();
    await page.getByText('Saved: visitors get the new look').waitFor();
    const saved = await apiGet<{ bot: { name: string }; style: { colours: { primary: string } } }>(
      '/api/configuration',
    );
    expect(saved.bot.name).toBe('Ada <b>Bot</b>');
    expect(saved.style.colours.primary).toBe('#0b5cad');
  });

  it('when an out-of-office period, a weight, caps, buffers, minimum notice and a meeting type are set on Calendar, then a bad weight and a bad type id are refused beside their fields and the fixed ones are saved', async () => {
    const { agents } = await apiGet<{
      agents: Array<{ id: string; name: string; meetingTypes?: Array<{ id: string }> }>;
    }>('/api/agents');
    const agent = agents[1]!;
    const types = agent.meetingTypes ?? [];
    const n = types.length + 1;
    await openTab('Calendar');
    await page.getByRole('button', { name: `Edit hours of ${agent.name}` }).click();
    await page.getByRole('button', { name: 'Add out-of-office period' }).click();
    await page.getByLabel('Away 1 from').fill('2027-01-04T00:00');
    await page.getByLabel('Away 1 until').fill('2027-01-08T00:00');
    await page.getByLabel('Away 1 note').fill('Team offsite');
    await page.getByLabel('Weight').fill('101');
    await page.getByLabel('Most meetings a day').fill('4');
    await page.getByLabel('Most meetings a week').fill('15');
    await page.getByLabel('Buffer before (minutes)').fill('10');
    await page.getByLabel('Buffer after (minutes)').fill('5');
    await page.getByLabel('Minimum notice (minutes)').fill('120');
    await page.getByRole('button', { name: 'Add meeting type' }).click();
    await page.getByLabel(`Meeting type ${n} id`).fill('console demo');
    await page.getByLabel(`Meeting type ${n} name`).fill('Product demo');
    await page.getByLabel(`Meeting type ${n} minutes`).fill('45');
    await page.getByRole('button', { name: 'Save hours' }).click();
    // Refused beside its field, the input kept.
    const weight = page.locator('.field', { has: page.getByLabel('Weight') });
    await expect.poll(() => weight.locator('.error').textContent()).toMatch(/100/);
    expect(await page.getByLabel('Weight').inputValue()).toBe('101');
    const typeId = page.locator('.field', { has: page.getByLabel(`Meeting type ${n} id`) });
    expect(await typeId.locator('.error').textContent()).toMatch(/letters, digits/);
    expect(await page.getByLabel(`Meeting type ${n} id`).inputValue()).toBe('console demo');
    await page.getByLabel('Weight').fill('2');
    await page.getByLabel(`Meeting type ${n} id`).fill('console-demo');
    await page.getByRole('button', { name: 'Save hours' }).click();
    await page.getByText('Hours, meetings and limits saved.').waitFor();
    const saved = await apiGet<Record<string, unknown>>(`/api/agents/${agent.id}`);
    expect(saved).toMatchObject({
      weight: 2,
      maxMeetingsPerDay: 4,
      maxMeetingsPerWeek: 15,
      bufferBeforeMinutes: 10,
      bufferAfterMinutes: 5,
      minimumNoticeMinutes: 120,
      meetingTypes: [...types, { id: 'console-demo', name: 'Product demo', minutes: 45 }],
      outOfOffice: [
        { start: Date.UTC(2027, 0, 4), end: Date.UTC(2027, 0, 8), note: 'Team offsite' },
      ],
    });
  });

  it('when a meeting is cancelled on Meetings, then its status is cancelled, its detail shows why this agent and its write-back, and the visitor name shows as text', async () => {
    await openTab('Meetings');
    await page.getByText('<img src=x onerror=alert(1)> Visitor <visitor@example.org>').waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    await page
      .getByRole('button', { name: /Details/ })
      .first()
      .click();
    await page.getByLabel('New status').selectOption('cancelled');
    await page.getByLabel('Note').fill('Asked by phone');
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.getByText('Status changed.').waitFor();
    const { meetings } = await apiGet<{ meetings: Array<{ id: string; status: string }> }>(
      '/api/meetings',
    );
    expect(meetings[0]!.status).toBe('cancelled');
    // The detail says why this agent, and the write-back of both events and of the lead's name
    // (the outbox does not run in this test: they wait), as the API has them.
    await page.getByText('asked for by name').waitFor();
    const writes = page.getByRole('table', { name: 'Write-back to Marketo' }).locator('tbody tr');
    await expect.poll(() => writes.count()).toBe(3);
    expect(await writes.nth(1).textContent()).toMatch(
      /Activity #2 \(cancelled\)waiting to be sent/,
    );
    const api = await apiGet<{ writes: Array<{ event?: number; state: string }> }>(
      `/api/meetings/${meetings[0]!.id}/write-back`,
    );
    expect(api.writes).toEqual([
      expect.objectContaining({ event: 1, state: 'pending' }),
      expect.objectContaining({ event: 2, state: 'pending' }),
      expect.objectContaining({ key: 'lead-name', state: 'pending' }),
    ]);
    expect(await writes.nth(2).textContent()).toMatch(/Lead fields: the visitor’s name/);
  });

  it('when a meeting is rescheduled on Meetings, then a past start is refused beside its field, the input kept, and a free time is taken', async () => {
    const { agents } = await apiGet<{ agents: Array<{ id: string }> }>('/api/agents');
    const agentId = agents[0]!.id;
    const free = (await (
      await fetch(`${base}/chat/slots?timeZone=UTC&days=14&agentId=${agentId}`)
    ).json()) as { days: Array<{ slots: Array<{ start: string }> }> };
    const slots = free.days.flatMap((d) => d.slots);
    const booked = await fetch(`${base}/chat/meetings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ start: slots[0]!.start, email: 'moved@example.org', agentId }),
    });
    expect(booked.status).toBe(201);
    const { meeting } = (await booked.json()) as { meeting: { id: string } };
    await openTab('Meetings');
    // The tab may be open from before the booking: filtering loads the list again.
    await page.getByRole('button', { name: 'Filter' }).click();
    await page
      .getByRole('button', { name: 'Details of the meeting with moved@example.org' })
      .click();
    await page.getByLabel('New start (UTC)').fill('2020-01-06T10:00');
    await page.getByRole('button', { name: 'Reschedule', exact: true }).click();
    const start = page.locator('.field', { has: page.getByLabel('New start (UTC)') });
    await expect.poll(() => start.locator('.error').textContent()).toMatch(/past/);
    expect(await page.getByLabel('New start (UTC)').inputValue()).toBe('2020-01-06T10:00');
    const target = slots[slots.length - 1]!.start;
    await page.getByLabel('New start (UTC)').fill(new Date(target).toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Reschedule', exact: true }).click();
    await page.getByText('Meeting rescheduled.').waitFor();
    const moved = await apiGet<{ status: string; startIso: string }>(`/api/meetings/${meeting.id}`);
    expect(moved.status).toBe('rescheduled');
    expect(Date.parse(moved.startIso)).toBe(Date.parse(target));
  });

  it('when an agent is dragged to the top of the rotation on Routing, then the saved order starts with them', async () => {
    await openTab('Routing');
    const items = page.locator('ol.rotation > li');
    const last = items.last();
    const lastId = await last.getAttribute('data-agent-id');
    await last.dragTo(items.first());
    await page.getByRole('button', { name: 'Save order' }).click();
    await page.getByText('Order saved.').waitFor();
    const { agents } = await apiGet<{ agents: Array<{ id: string }> }>('/api/agents');
    expect(agents[0]!.id).toBe(lastId);
  });

  it('when routing rules are created, reordered by dragging, switched off and deleted on Routing, then a bad priority is refused beside its field and the API has the rules in that order', async () => {
    await openTab('Routing');
    const create = async (name: string, priority: string, value: string) => {
      await page.getByRole('button', { name: 'New rule' }).click();
      await page.getByLabel('Rule name').fill(name);
      await page.getByLabel('Rule priority').fill(priority);
      await page.getByLabel('Condition 1 value').fill(value);
      await page.getByRole('group', { name: 'Agents' }).getByRole('checkbox').first().check();
      await page.getByRole('button', { name: 'Create rule' }).click();
    };
    await create('DACH', '5000', 'DE');
    const priority = page.locator('.field', { has: page.getByLabel('Rule priority') });
    await expect.poll(() => priority.locator('.error').textContent()).toMatch(/1000/);
    // The form with its error shown, and (below) the list of rules, pass axe too.
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await page.getByLabel('Rule name').inputValue()).toBe('DACH');
    await page.getByLabel('Rule priority').fill('300');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText('Rule created.').waitFor();
    await create('Enterprise', '200', 'US');
    await page.getByText('Rule created.').waitFor();
    const items = page.locator('ol.rule-list > li');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.first().locator('.rule-name').textContent()).toBe('DACH');
    await items.last().dragTo(items.first());
    expect(await items.first().locator('.rule-name').textContent()).toBe('Enterprise');
    await page.getByRole('button', { name: 'Save rule order' }).click();
    await page.getByText('Rule order saved.').waitFor();
    type Rule = { id: string; name: string; priority: number; enabled: boolean };
    const byPriority = (rules: Rule[]) =>
      [...rules].sort((a, b) => b.priority - a.priority).map((r) => `${r.name}:${r.priority}`);
    const ordered = await apiGet<{ rules: Rule[] }>('/api/routing/rules');
    expect(byPriority(ordered.rules)).toEqual(['Enterprise:300', 'DACH:200']);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The keyboard's way: move DACH up again, save, switch it off, delete Enterprise.
    await page.getByRole('button', { name: 'Move up DACH' }).click();
    await page.getByRole('button', { name: 'Save rule order' }).click();
    await page.getByText('Rule order saved.').waitFor();
    await page.getByRole('button', { name: 'Switch off DACH' }).click();
    await page.getByText('DACH is off.').waitFor();
    await page.getByRole('button', { name: 'Delete Enterprise' }).click();
    await page.getByRole('button', { name: 'Confirm delete Enterprise' }).click();
    await page.getByText('Enterprise deleted.').waitFor();
    const left = await apiGet<{ rules: Rule[] }>('/api/routing/rules');
    expect(left.rules.map((r) => [r.name, r.priority, r.enabled])).toEqual([['DACH', 300, false]]);
  });

  it('when an account list is uploaded on Routing, then a bad row is named beside the text, kept, and the fixed list is imported', async () => {
    const { agents } = await apiGet<{ agents: Array<{ id: string; email: string }> }>(
      '/api/agents',
    );
    await openTab('Routing');
    // The booked meeting, with why its agent was chosen (the booking named the agent).
    const recent = page.getByRole('table', { name: 'Recent assignments' });
    await recent.getByRole('cell', { name: 'visitor@example.org' }).waitFor();
    expect(await recent.locator('tbody tr').first().textContent()).toMatch(/asked for by name/);
    const csv = `match,agentId\nacme.com,${agents[0]!.email}\nglobex.com,nobody@example.org\n`;
    await page.getByLabel('Account list (CSV)').fill(csv);
    await page.getByRole('button', { name: 'Upload account list' }).click();
    const field = page.locator('.field', { has: page.getByLabel('Account list (CSV)') });
    await expect
      .poll(() => field.locator('.error').textContent())
      .toMatch(/row 2 \(line 3\): agentId names no agent/);
    expect(await page.getByLabel('Account list (CSV)').inputValue()).toBe(csv);
    await page
      .getByLabel('Account list (CSV)')
      .fill(csv.replace('nobody@example.org', agents[1]!.email));
    await page.getByRole('button', { name: 'Upload account list' }).click();
    await page.getByText('Account list imported').waitFor();
    await page.getByRole('table', { name: 'Account list' }).getByText('globex.com').waitFor();
    const saved = await apiGet<{ accounts: Array<{ match: string; agentId: string }> }>(
      '/api/routing/accounts',
    );
    expect(saved.accounts).toEqual([
      expect.objectContaining({ match: 'acme.com', agentId: agents[0]!.id }),
      expect.objectContaining({ match: 'globex.com', agentId: agents[1]!.id }),
    ]);
    const href = await page
      .getByRole('link', { name: 'Download the list as CSV' })
      .getAttribute('href');
    const download = await page.request.get(`${base}${href}`);
    expect(await download.text()).toContain(`globex.com,${agents[1]!.id}`);
  });

  it('when a dialogue with a branch is built in the designer, then a bad card is shown beside it, and once fixed it is published as built', async () => {
    await openTab('Dialogues');
    await page.getByLabel('New dialogue name').fill('Built in the console');
    await page.getByRole('button', { name: 'Create and design' }).click();
    await page.getByRole('heading', { name: 'Dialogue: Built in the console' }).waitFor();
    await page.getByLabel('Shown on: pattern 1').fill('http://127.0.0.1/*');

    const addCard = async (type: string) => {
      await page.getByLabel('New card type').selectOption(type);
      await page.getByRole('button', { name: 'Add card' }).click();
    };
    const edit = async (card: string) => page.getByLabel('Edit card').selectOption(card);
    await addCard('question');
    await addCard('condition');
    await addCard('message');
    await addCard('message');
    // Connected with the keyboard's controls: each card's "leads to" selects.
    await edit('welcome');
    await page.getByLabel('Next leads to').selectOption('question-1');
    await edit('question-1');
    await page.getByLabel('Button 1 “Yes” leads to').selectOption('condition-1');
    await edit('condition-1');
    await page.getByLabel('Branch 1 leads to').selectOption('message-1');
    await page.getByLabel('Otherwise leads to').selectOption('message-2');
    await page.locator('.react-flow__edge[data-id="condition-1:otherwise"]').waitFor();

    // One connection by pointer drag on the graph, once xyflow has measured every card (a card
    // is hidden until its size and handles are known) and the view has settled after "fit
    // view": the same transforms over three frames. No second attempt.
    await page.locator('.react-flow__controls-fitview').click();
    expect(await page.evaluate(GRAPH_SETTLED)).toBe(true);
    const from = page.locator(
      '.react-flow__node[data-id="question-1"] .react-flow__handle[data-handleid="button-1"]',
    );
    const to = page.locator('.react-flow__node[data-id="message-2"] .react-flow__handle.target');
    const pane = (await page.locator('.react-flow').boundingBox())!;
    const a = (await from.boundingBox())!;
    const b = (await to.boundingBox())!;
    const centre = (box: typeof a) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
    // xyflow pans the graph while a drag is within 40 px of its edge: both ends stay clear of it.
    for (const point of [centre(a), centre(b)]) {
      expect(point.x).toBeGreaterThan(pane.x + 40);
      expect(point.x).toBeLessThan(pane.x + pane.width - 40);
      expect(point.y).toBeGreaterThan(pane.y + 40);
      expect(point.y).toBeLessThan(pane.y + pane.height - 40);
    }
    await page.mouse.move(centre(a).x, centre(a).y);
    await page.mouse.down();
    await page.mouse.move(centre(b).x, centre(b).y, { steps: 10 });
    await page.mouse.up();
    await page.locator('.react-flow__edge[data-id="question-1:button-1"]').waitFor();

    // The other card types' main fields, and a second condition in a branch.
    await addCard('input');
    await page.getByLabel('Answer type').selectOption('picklist');
    await page.getByLabel('Answer choices').fill('Small\nLarge=L');
    await page.getByLabel('Lead field for the answer').fill('industry');
    await addCard('booking');
    await page.getByLabel('45-minute demo (demo)').check();
    await addCard('action');
    await page.getByLabel('Static list id').fill('');
    await edit('message-1');
    await page.getByLabel('Next leads to').selectOption('input-1');
    await edit('input-1');
    await page.getByLabel('Next leads to').selectOption('booking-1');
    await edit('booking-1');
    await page.getByLabel('Next leads to').selectOption('action-1');
    await edit('condition-1');
    await page.getByLabel('Branch 1 holds when').selectOption('any');
    await page.getByRole('button', { name: 'Add condition to branch 1' }).click();
    await page.getByLabel('Branch 1 condition 2 tests').selectOption('answer');
    await page.getByLabel('Branch 1 condition 2 answer (card id or form key)').fill('input-1');
    await page.getByLabel('Branch 1 condition 2 operator').selectOption('inList');
    await page.getByLabel('Branch 1 condition 2 value').fill('Small, L');

    await edit('message-2');
    await page.getByLabel('Text').fill('');
    await page.getByRole('button', { name: 'Publish' }).click();
    // The API's problem shows on the card in the graph and beside the field.
    await page.locator('.react-flow__node[data-id="message-2"] .card-problems').waitFor();
    expect(await page.getByLabel('Text').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'designer-problem-1280.png') });
    await page.getByLabel('Text').fill('Welcome back, known visitor? No: nice to meet you.');
    // The action's missing list id, beside its field.
    await page.locator('.react-flow__node[data-id="action-1"] .card-problems').waitFor();
    await edit('action-1');
    expect(await page.getByLabel('Static list id').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Static list id').fill('1001');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Published: new conversations get this version.').waitFor();
    await page.locator('.react-flow__controls-fitview').click();
    await page.screenshot({ path: join(ARTIFACTS, 'designer-1280.png'), fullPage: true });

    const { dialogues } = await apiGet<{ dialogues: Array<{ id: string; name: string }> }>(
      '/api/dialogues',
    );
    const built = dialogues.find((d) => d.name === 'Built in the console')!;
    const detail = await apiGet<{
      published: {
        version: number;
        content: { start: string; cards: Array<Record<string, unknown>> };
      };
    }>(`/api/dialogues/${built.id}`);
    expect(detail.published.version).toBe(1);
    const cards = new Map(detail.published.content.cards.map((c) => [c.id as string, c]));
    expect(cards.get('welcome')).toMatchObject({ next: 'question-1' });
    expect(cards.get('question-1')).toMatchObject({
      type: 'question',
      buttons: [
        { label: 'Yes', next: 'condition-1' },
        { label: 'No', next: 'message-2' },
      ],
    });
    expect(cards.get('condition-1')).toMatchObject({
      type: 'condition',
      branches: [
        {
          match: 'any',
          conditions: [
            { source: 'known', known: true },
            { source: 'answer', answer: 'input-1', operator: 'inList', value: ['Small', 'L'] },
          ],
          next: 'message-1',
        },
      ],
      otherwise: 'message-2',
    });
    expect(cards.get('message-1')).toMatchObject({ next: 'input-1' });
    expect(cards.get('input-1')).toMatchObject({
      answer: { kind: 'picklist', options: [{ label: 'Small' }, { label: 'Large', value: 'L' }] },
      field: 'industry',
      next: 'booking-1',
    });
    expect(cards.get('booking-1')).toMatchObject({
      routing: 'round-robin',
      meetingTypes: ['demo'],
      next: 'action-1',
    });
    expect(cards.get('action-1')).toMatchObject({
      action: { kind: 'add-to-list', listId: 1001 },
      next: null,
    });
  });

  it("when a dialogue's pages and audience are edited in the designer, then a bad URL pattern is refused beside its field, the input kept, and the fixed ones are saved", async () => {
    await openTab('Dialogues');
    await page.getByLabel('New dialogue name').fill('Targeted in the console');
    await page.getByRole('button', { name: 'Create and design' }).click();
    await page.getByRole('heading', { name: 'Dialogue: Targeted in the console' }).waitFor();
    const bad = 'https://www.example.com/pricing?plan=pro';
    await page.getByLabel('Shown on: pattern 1').fill(bad);
    await page.getByRole('button', { name: 'Add a page to leave out' }).click();
    await page.getByLabel('Left out: pattern 1').fill('https://www.example.com/careers*');
    await page.getByLabel('Visitors').selectOption('known');
    await page.getByRole('button', { name: 'Add a group of conditions' }).click();
    await page.getByLabel('Group 1 condition 1 operator').selectOption('inList');
    await page.getByLabel('Group 1 condition 1 value').fill('DE, AT');
    await page.getByRole('button', { name: 'Add a condition to group 1' }).click();
    await page.getByLabel('Group 1 condition 2 lead field').fill('numberOfEmployees');
    await page.getByLabel('Group 1 condition 2 operator').selectOption('greaterThan');
    await page.getByLabel('Group 1 condition 2 value').fill('500');
    await page.getByLabel('Group 1: the lead matches').selectOption('any');
    await page.getByRole('button', { name: 'Save draft' }).click();
    const pattern = page.locator('.field', { has: page.getByLabel('Shown on: pattern 1') });
    await expect.poll(() => pattern.locator('.error').textContent()).toMatch(/query/);
    expect(await page.getByLabel('Shown on: pattern 1').inputValue()).toBe(bad);
    expect(await page.getByLabel('Group 1 condition 1 value').inputValue()).toBe('DE, AT');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'designer-audience-problem-1280.png') });
    await page.getByLabel('Shown on: pattern 1').fill('https://www.example.com/pricing*');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved (not yet published).').waitFor();
    expect(await pattern.locator('.error').count()).toBe(0);

    const { dialogues } = await apiGet<{ dialogues: Array<{ id: string; name: string }> }>(
      '/api/dialogues',
    );
    const targeted = dialogues.find((d) => d.name === 'Targeted in the console')!;
    const detail = await apiGet<{ draft: { pages: unknown; audience: unknown } }>(
      `/api/dialogues/${targeted.id}`,
    );
    expect(detail.draft.pages).toEqual({
      include: ['https://www.example.com/pricing*'],
      exclude: ['https://www.example.com/careers*'],
    });
    expect(detail.draft.audience).toEqual({
      visitors: 'known',
      match: 'all',
      groups: [
        {
          match: 'any',
          conditions: [
            { field: 'country', operator: 'inList', value: ['DE', 'AT'] },
            { field: 'numberOfEmployees', operator: 'greaterThan', value: 500 },
          ],
        },
      ],
    });
  });

  it('when the reports are opened, then the CSV export link downloads a CSV with the session', async () => {
    await openTab('Reports');
    const href = await page
      .getByRole('link', { name: /Export CSV of the agent report/ })
      .getAttribute('href');
    const res = await page.request.get(`${base}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/text\/csv/);
  });

  it('when a bad range, then a time zone and the per-day chart are chosen on Reports, then the bad day is named beside its field and the chart and CSV follow the API by day', async () => {
    await openTab('Reports');
    await page.getByLabel('From').fill('2026-12-10');
    await page.getByLabel('To', { exact: true }).fill('2026-12-01');
    await page.getByRole('button', { name: 'Show' }).click();
    const to = page.locator('.field', { has: page.getByLabel('To', { exact: true }) });
    await expect.poll(() => to.locator('.error').textContent()).toMatch(/before from/);
    await page.getByLabel('To', { exact: true }).fill('2026-12-12');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByRole('button', { name: 'Show' }).click();
    const perDay = page.locator('figure', {
      has: page.getByText('Conversations per day', { exact: true }),
    });
    const query = 'from=2026-12-10&to=2026-12-12&timeZone=Europe%2FBerlin';
    const report = await apiGet<{
      timeZone: string;
      dialogues: Array<{ days: Array<{ day: string; triggered: number }> }>;
    }>(`/api/reports/dialogues?${query}`);
    expect(report.timeZone).toBe('Europe/Berlin');
    const triggered = ['2026-12-10', '2026-12-11', '2026-12-12'].map((day) =>
      report.dialogues.reduce((n, d) => n + (d.days.find((x) => x.day === day)?.triggered ?? 0), 0),
    );
    // The table shows the new range once its answer is in (the earlier range's rows may still
    // be there when Show is clicked): wait for the rows to be this range's.
    await expect.poll(() => perDay.locator('tbody tr').count()).toBe(3);
    await expect
      .poll(async () =>
        (await perDay.locator('tbody tr td:nth-child(2)').allTextContents()).map(Number),
      )
      .toEqual(triggered);
    expect(await to.locator('.error').count()).toBe(0);
    const href = `/api/reports/dialogues?${query}&by=day&format=csv`;
    const link = page.getByRole('link', { name: /Export CSV of the dialogues per day/ });
    await expect.poll(() => link.getAttribute('href')).toBe(href);
    const csv = await (await page.request.get(`${base}${href}`)).text();
    expect(csv).toMatch(/2026-12-11/);
  });

  it('when the admin signs out, then the API refuses the browser and the page asks to sign in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const res = await page.request.get(`${base}/api/configuration`);
    expect(res.status()).toBe(401);
    expect(errors).toEqual([]);
  });
});
