import type { BrowserContext, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BranchRequest } from '../../src/records/chat-widget-api.js';
import type { SlotsResponse } from '../../src/meetings/booking-contract.js';
import type { FakeDialogue } from '../helpers/fake-chat-server.js';
import { useWidgetBrowser } from '../helpers/widget-browser.js';
import { eventually, heard, page, prepare, shot, transcript } from '../helpers/widget-flow-page.js';

/**
 * Issue 11 in Chromium: answer cards checked in the visitor's language, a condition, a document
 * and an action; the widget's language from the script tag; meeting types in the booking card.
 * The service is the fake of test/helpers/fake-chat-server.ts; what it does not answer yet
 * (POST /chat/branch, meeting types in the slots) is answered by route interception, as the
 * contract says the service will. Flows: widget-flows-browser.test.ts.
 */

const { startService, newContext: newBrowserContext } = useWidgetBrowser();

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

describe('issue 11 answer cards in Chromium', () => {
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

  it('when the page says lang=en and the script tag says de-AT, then the tag wins and the widget speaks German', async () => {
    const { baseUrl } = await startService({
      pages: {
        '/de': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title>
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
