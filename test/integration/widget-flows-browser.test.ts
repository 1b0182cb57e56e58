import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BranchRequest, ResolveRequest } from '../../src/records/chat-contract.js';
import type { SlotsResponse } from '../../src/meetings/booking-contract.js';
import type { FakeDialogue } from '../helpers/fake-chat-server.js';
import { ROOT, useWidgetBrowser } from '../helpers/widget-browser.js';

/**
 * Issue 11 in Chromium: answer cards checked in the visitor's language, a condition, a document
 * and an action; conversational flows opened by a link, the JS API, inline; back and start over;
 * meeting types in the booking card. The service is the fake of test/helpers/fake-chat-server.ts;
 * what it does not answer yet (POST /chat/branch, resolve by dialogue id, meeting types in the
 * slots) is answered by route interception, as the contract says the service will.
 */

const { startService, newContext: newBrowserContext } = useWidgetBrowser();

/** Screenshots of what the visitor sees, for people to look at (test-artifacts is ignored). */
const shot = (p: Page, name: string) => {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  return p.screenshot({ path: join(ROOT, `test-artifacts/widget-${name}.png`) });
};

const page = (lang: string, body = '') => `<!doctype html><html lang="${lang}"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme</title><link rel="icon" href="data:,"></head><body>
<h1>Acme</h1>${body}<script src="/widget.js" async></script></body></html>`;

/** A visitor in Paris; the page decides the widget's language. */
async function newContext(): Promise<BrowserContext> {
  return prepare(
    await newBrowserContext({
      viewport: { width: 1280, height: 800 },
      timezoneId: 'Europe/Paris',
      locale: 'fr-FR',
    }),
  );
}

/** Records the page's events, answers the document's host, fails a missing step in 5 s. */
async function prepare(context: BrowserContext): Promise<BrowserContext> {
  // A step that cannot happen fails in seconds, naming the step, not at the test's timeout.
  context.setDefaultTimeout(5_000);
  // The page's `marketo-chat:*` events, heard from before the widget loads (a string: the
  // tests are type-checked without the DOM's types).
  await context.addInitScript({
    content: `window.heard = [];
      ['ready', 'answered', 'completed', 'unavailable', 'meeting-booked'].forEach(function (name) {
        window.addEventListener('marketo-chat:' + name, function (event) {
          window.heard.push({ name: name, detail: event.detail });
        });
      });`,
  });
  // The document's host: a tab opened on it gets a small text instead of the internet.
  await context.route('https://acme.example/**', (route) =>
    route.fulfill({ contentType: 'text/plain', body: 'the guide' }),
  );
  return context;
}

interface Heard {
  name: string;
  detail: Record<string, unknown>;
}
const heard = (p: Page) => p.evaluate<Heard[]>('window.heard');
/** Calls window.MarketoChat as a page script would. */
const marketoChat = (p: Page, call: string) => p.evaluate<unknown>(`window.MarketoChat.${call}`);

async function eventually(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the visitor sees in a conversation, as `bot: text` / `visitor: text`. */
async function transcript(p: Page, within?: string): Promise<string[]> {
  const lines: string[] = [];
  const root = within ? p.locator(within) : p;
  for (const row of await root.locator('.log .msg[data-from]').all()) {
    lines.push(
      `${await row.getAttribute('data-from')}: ${await row.locator('.text').textContent()}`,
    );
  }
  return lines;
}

const QUALIFY: FakeDialogue & { translations: Record<string, Record<string, object>> } = {
  id: 'dlg-qualify',
  version: 1,
  name: 'Qualify',
  start: 'hello',
  cards: [
    { id: 'hello', type: 'message', text: 'Hello!', next: 'phone' },
    {
      id: 'phone',
      type: 'input',
      text: 'Your phone number?',
      answer: { kind: 'phone' },
      field: 'phone',
      next: 'size',
    },
    {
      id: 'size',
      type: 'input',
      text: 'How many people?',
      answer: {
        kind: 'picklist',
        options: ['1-10', '11-50', '51-200', '201-1000', '1001-5000', '5000+'].map((label, i) => ({
          label,
          value: `s${i}`,
        })),
      },
      field: 'numberOfEmployees',
      next: 'route',
    },
    {
      id: 'route',
      type: 'condition',
      branches: [
        {
          match: 'all',
          conditions: [{ source: 'lead', field: 'country', operator: 'equals', value: 'France' }],
          next: 'paper',
        },
      ],
      otherwise: 'bye',
    },
    {
      id: 'paper',
      type: 'document',
      text: 'Here is our guide.',
      document: { title: 'The guide (PDF)', url: 'https://acme.example/guide.pdf' },
      next: 'list',
    },
    { id: 'list', type: 'action', action: { kind: 'add-to-list', listId: 1001 }, next: 'bye' },
    { id: 'bye', type: 'message', text: 'Thanks!', next: null },
  ],
  translations: {
    fr: {
      hello: { text: 'Bonjour !' },
      phone: { text: 'Votre numéro de téléphone ?' },
      size: { text: 'Combien de personnes ?', labels: ['1 à 10', '11 à 50'] },
      paper: { text: 'Voici notre guide.', labels: ['Le guide (PDF)'] },
      bye: { text: 'Merci !' },
    },
  },
};

describe('issue 11 widget in Chromium', () => {
  it('when a French visitor answers a phone and a picklist, then the checks speak French, the condition leads to the document, and the service gets every answer, the document and the action', async () => {
    const { baseUrl, fake } = await startService({
      dialogue: QUALIFY as FakeDialogue,
      pages: { '/fr': page('fr') },
    });
    const context = await newContext();
    const p = await context.newPage();
    const branches: BranchRequest[] = [];
    await p.route('**/chat/branch', (route: Route) => {
      branches.push(route.request().postDataJSON() as BranchRequest);
      return route.fulfill({ json: { next: 'paper' } });
    });
    await p.goto(`${baseUrl}/fr`);

    await p.getByRole('button', { name: 'Ouvrir le chat avec Ada' }).click();
    const phone = p.getByLabel('Votre numéro de téléphone ?');
    await phone.fill('12ab');
    await p.getByRole('button', { name: 'Envoyer' }).click();
    await p.getByText('Veuillez saisir un numéro de téléphone.').waitFor();
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    await shot(p, 'answer-refused-fr');
    expect(fake.events.filter((e) => e.type === 'answered')).toEqual([]);
    await phone.fill('+33 1 23 45 67 89');
    await p.getByRole('button', { name: 'Envoyer' }).click();

    const size = p.getByRole('combobox', { name: 'Combien de personnes ?' });
    await size.selectOption({ label: '11 à 50' });
    await shot(p, 'picklist-fr');
    await p.getByRole('button', { name: 'Envoyer' }).click();

    const guide = p.getByRole('link', { name: 'Le guide (PDF)' });
    await p.getByText('Merci !').waitFor();
    await shot(p, 'document-fr');
    expect(await guide.getAttribute('target')).toBe('_blank');
    expect(await guide.getAttribute('rel')).toBe('noopener');
    const [tab] = await Promise.all([context.waitForEvent('page'), guide.click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe('https://acme.example/guide.pdf');
    expect(await tab.evaluate<unknown>('window.opener')).toBeNull();

    expect(await transcript(p)).toEqual([
      'bot: Bonjour !',
      'bot: Votre numéro de téléphone ?',
      'visitor: +33 1 23 45 67 89',
      'bot: Combien de personnes ?',
      'visitor: 11 à 50',
      'bot: Voici notre guide.',
      'bot: Merci !',
    ]);
    await eventually(() => fake.events.some((e) => e.type === 'document-opened'), 'the document');
    expect(fake.events.map((e) => [e.type, e.cardId ?? null, e.answers ?? null])).toEqual([
      ['triggered', null, null],
      ['engaged', null, null],
      ['answered', 'phone', { phone: '+33 1 23 45 67 89' }],
      ['answered', 'size', { size: 's1' }],
      ['action-reached', 'list', null],
      ['completed', null, null],
      ['document-opened', 'paper', null],
    ]);
    expect(fake.events.every((e) => e.language === 'fr')).toBe(true);
    expect(fake.events.flatMap((e) => e.cardsSeen ?? [])).toEqual([
      'hello',
      'phone',
      'size',
      'paper',
      'bye',
    ]);
    expect(branches).toEqual([
      {
        dialogueId: 'dlg-qualify',
        dialogueVersion: 1,
        cardId: 'route',
        conversationId: fake.events[0]!.conversationId,
        visitor: { anonymousId: fake.resolveRequests[0]!.visitor.anonymousId },
        answers: { phone: '+33 1 23 45 67 89', size: 's1' },
      },
    ]);
    const answered = (await heard(p)).filter((e) => e.name === 'answered');
    expect(answered.map((e) => [e.detail.dialogueId, e.detail.cardId, e.detail.answers])).toEqual([
      ['dlg-qualify', 'phone', { phone: '+33 1 23 45 67 89' }],
      ['dlg-qualify', 'size', { size: 's1' }],
    ]);
  });

  const FLOW: FakeDialogue = {
    id: 'dlg-flow',
    version: 1,
    name: 'Talk to sales',
    start: 'hello',
    cards: [
      { id: 'hello', type: 'message', text: 'Welcome to the flow.', next: 'size' },
      {
        id: 'size',
        type: 'question',
        text: 'Team size?',
        buttons: [
          { label: 'Small', next: 'budget' },
          { label: 'Large', next: 'budget' },
        ],
      },
      {
        id: 'budget',
        type: 'question',
        text: 'Budget?',
        buttons: [
          { label: 'Low', next: 'bye' },
          { label: 'High', next: 'bye' },
        ],
      },
      { id: 'bye', type: 'message', text: 'Done.', next: null },
    ],
  };

  /** No dialogue targets the page; the flow passes its checks; any other id does not. */
  async function flowPage(baseUrl: string, path: string, context?: BrowserContext) {
    const p = await (context ?? (await newContext())).newPage();
    const resolves: ResolveRequest[] = [];
    await p.route('**/chat/resolve', (route: Route) => {
      const body = route.request().postDataJSON() as ResolveRequest;
      resolves.push(body);
      if (body.dialogueId === FLOW.id) return route.continue();
      const reason = body.dialogueId ? 'not targeted' : 'no dialogue for this page';
      return route.fulfill({ json: { dialogue: null, reason, known: false } });
    });
    await p.goto(`${baseUrl}${path}`);
    // Polled from here: waitForFunction evaluates strings in the page, which its CSP forbids.
    for (let tries = 0; !(await heard(p)).some((e) => e.name === 'ready'); tries++) {
      if (tries > 250) throw new Error('the widget never said it was ready');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { p, resolves };
  }

  it('when a visitor clicks a data-marketo-chat link, goes back and starts over, then the flow plays in a pop-up and ends once', async () => {
    const { baseUrl, fake } = await startService({
      dialogue: FLOW,
      pages: { '/flows': page('en', '<a href="#" data-marketo-chat="dlg-flow">Talk to us</a>') },
    });
    const { p, resolves } = await flowPage(baseUrl, '/flows');
    // Nothing targets the page: no launcher.
    expect(await p.getByRole('button', { name: 'Open chat with Ada' }).count()).toBe(0);

    // A double click opens one chat.
    await p.getByRole('link', { name: 'Talk to us' }).dblclick();
    await p.getByRole('dialog', { name: 'Acme Assistant' }).waitFor();
    expect(resolves.at(-1)).toMatchObject({ dialogueId: 'dlg-flow' });
    expect(resolves.filter((r) => r.dialogueId)).toHaveLength(1);
    expect(await p.locator('div[data-marketo-chat]').count()).toBe(1);
    const back = p.getByRole('button', { name: '← Back' });
    await p.getByRole('button', { name: 'Small' }).click();
    await p.getByText('Budget?').waitFor();
    await shot(p, 'flow-popup');
    await back.click();
    await p.getByRole('button', { name: 'Large' }).waitFor();
    expect(await transcript(p)).toEqual(['bot: Welcome to the flow.', 'bot: Team size?']);
    await p.getByRole('button', { name: 'Large' }).click();
    await p.getByText('Budget?').waitFor();
    await p.getByRole('button', { name: 'Start over' }).click();
    await p.getByRole('button', { name: 'Small' }).waitFor();
    expect(await transcript(p)).toEqual(['bot: Welcome to the flow.', 'bot: Team size?']);
    await p.getByRole('button', { name: 'Small' }).click();
    await p.getByRole('button', { name: 'High' }).click();
    await p.getByText('Done.').waitFor();
    expect(await transcript(p)).toEqual([
      'bot: Welcome to the flow.',
      'bot: Team size?',
      'visitor: Small',
      'bot: Budget?',
      'visitor: High',
      'bot: Done.',
    ]);
    await eventually(() => fake.events.some((e) => e.type === 'completed'), 'completed');
    expect(fake.events.filter((e) => e.type === 'completed')).toHaveLength(1);

    // Another id: the page hears why nothing opens.
    expect(await marketoChat(p, "open('dlg-nope')")).toBe(false);
    expect((await heard(p)).find((e) => e.name === 'unavailable')?.detail).toEqual({
      dialogueId: 'dlg-nope',
      reason: 'not targeted',
    });
  });

  it('when the page opens the flow inline and restarts it from script, then it is drawn in the given element and starts over', async () => {
    const { baseUrl } = await startService({
      dialogue: FLOW,
      pages: { '/inline': page('en', '<div id="here"></div>') },
    });
    const { p } = await flowPage(baseUrl, '/inline');
    const opened = await marketoChat(p, "open('dlg-flow', { mode: 'inline', target: '#here' })");
    expect(opened).toBe(true);
    await p.locator('#here').getByRole('button', { name: 'Small' }).click();
    await p.locator('#here').getByText('Budget?').waitFor();
    expect(await p.getByRole('button', { name: 'Close chat' }).count()).toBe(0);
    await shot(p, 'flow-inline');
    await marketoChat(p, 'restart()');
    await p.locator('#here').getByRole('button', { name: 'Small' }).waitFor();
    expect(await transcript(p, '#here')).toEqual(['bot: Welcome to the flow.', 'bot: Team size?']);
  });

  it('when a keyboard user goes back, then the focus stays in the chat and lands on the question asked again', async () => {
    const { baseUrl } = await startService({
      dialogue: FLOW,
      pages: { '/flows': page('en', '<a href="#" data-marketo-chat="dlg-flow">Talk to us</a>') },
    });
    const { p } = await flowPage(baseUrl, '/flows');
    await p.getByRole('link', { name: 'Talk to us' }).click();
    await p.getByRole('button', { name: 'Small' }).click();
    await p.getByRole('button', { name: 'Low' }).waitFor();
    await p.getByRole('button', { name: '← Back' }).focus();
    await p.keyboard.press('Enter');
    await p.getByRole('button', { name: 'Large' }).waitFor();
    const focused = await p.evaluate<string | null>(
      "document.querySelector('[data-marketo-chat]:not(a)').shadowRoot.activeElement?.textContent ?? null",
    );
    expect(focused).toBe('Small');
  });

  it('when the page has no lang and the script tag says de-AT, then the widget speaks German', async () => {
    const { baseUrl } = await startService({
      pages: {
        '/de': `<!doctype html><html><head><meta charset="utf-8"><title>Acme</title>
<link rel="icon" href="data:,"></head><body><h1>Acme</h1>
<script src="/widget.js" data-language="de-AT" async></script></body></html>`,
      },
    });
    const p = await (await newContext()).newPage();
    await p.goto(`${baseUrl}/de`);
    await p.getByRole('button', { name: 'Chat mit Ada öffnen' }).click();
    await p.getByRole('button', { name: 'Neu beginnen' }).waitFor();
    await p.getByRole('button', { name: 'Chat schließen' }).waitFor();
  });

  it('when a phone opens a flow, then the pop-up fills the screen', async () => {
    const { baseUrl } = await startService({
      dialogue: FLOW,
      pages: { '/flows': page('en', '<a href="#" data-marketo-chat="dlg-flow">Talk to us</a>') },
    });
    const context = await prepare(
      await newBrowserContext({
        viewport: { width: 375, height: 667 },
        isMobile: true,
        hasTouch: true,
      }),
    );
    const { p } = await flowPage(baseUrl, '/flows', context);
    await p.getByRole('link', { name: 'Talk to us' }).tap();
    const panel = p.getByRole('dialog', { name: 'Acme Assistant' });
    await p.getByRole('button', { name: 'Small' }).waitFor();
    expect(await panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    // No launcher over the answers: a pop-up has none.
    expect(await p.locator('.launcher').count()).toBe(0);
    await shot(p, 'flow-phone');
  });

  it("when the demo page's button is pressed, then MarketoChat.open opens the dialogue the page was served", async () => {
    const { baseUrl } = await startService();
    const context = await newContext();
    const p = await context.newPage();
    await p.goto(`${baseUrl}/demo`);
    const button = p.getByRole('button', { name: 'Chat with us' });
    await button.click();
    await p.getByRole('dialog', { name: 'Acme Assistant' }).waitFor();
    await p.getByRole('button', { name: 'See pricing' }).waitFor();
  });

  it('when the pool offers meeting types, then the visitor picks one of those the card lists and books it', async () => {
    const TYPES = [
      { id: 'intro', name: 'Intro call', minutes: 15 },
      { id: 'demo', name: 'Product demo', minutes: 45 },
      { id: 'deep', name: 'Deep dive', minutes: 60 },
    ];
    const BOOK: FakeDialogue = {
      id: 'dlg-book',
      version: 1,
      name: 'Book',
      start: 'meet',
      cards: [
        {
          id: 'meet',
          type: 'booking',
          text: "Let's find a time.",
          routing: 'round-robin',
          meetingTypes: ['intro', 'demo'],
          next: 'bye',
        },
        { id: 'bye', type: 'message', text: 'See you soon.', next: null },
      ],
    };
    const { baseUrl, fake } = await startService({
      dialogue: BOOK,
      pages: { '/book': page('en') },
    });
    const context = await newContext();
    const p = await context.newPage();
    await p.route(
      (url) => url.pathname.endsWith('/chat/slots'),
      async (route: Route) => {
        const answer = await route.fetch();
        const slots = (await answer.json()) as SlotsResponse;
        const asked = new URL(route.request().url()).searchParams.get('meetingType');
        const type = TYPES.find((t) => t.id === asked) ?? TYPES[1]!;
        await route.fulfill({
          response: answer,
          json: { ...slots, meetingTypes: TYPES, meetingType: type },
        });
      },
    );
    await p.goto(`${baseUrl}/book`);
    await p.getByRole('button', { name: 'Open chat with Ada' }).click();

    await p.getByText('Which meeting would you like?').waitFor();
    await p.getByRole('button', { name: 'Intro call (15 min)' }).waitFor();
    await shot(p, 'meeting-types');
    expect(await p.getByRole('button', { name: /^Deep dive/ }).count()).toBe(0);
    await p.getByRole('button', { name: 'Intro call (15 min)' }).click();
    await p.getByRole('button', { name: '10:00' }).first().click();
    await p.getByLabel('Name').fill('Sam Lee');
    await p.getByLabel('Email').fill('sam@acme-customer.example');
    await p.getByRole('button', { name: /^Book / }).click();
    const card = p.locator('.meeting');
    await card.getByText('Meeting booked').waitFor();
    expect(await card.getByText('Intro call', { exact: true }).count()).toBe(1);
    await shot(p, 'meeting-type-booked');

    expect(fake.slotRequests.map((q) => q.meetingType ?? null)).toEqual([null, 'intro']);
    expect(fake.bookingRequests[0]).toMatchObject({ meetingType: 'intro' });
  });
});
