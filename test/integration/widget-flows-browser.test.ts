import type { BrowserContext, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ResolveRequest } from '../../src/records/chat-widget-api.js';
import type { FakeDialogue } from '../helpers/fake-chat-server.js';
import { useWidgetBrowser } from '../helpers/widget-browser.js';
import {
  eventually,
  heard,
  marketoChat,
  page,
  prepare,
  shot,
  transcript,
} from '../helpers/widget-flow-page.js';

/**
 * Conversational flows in Chromium: opened by a `data-marketo-chat` link, by
 * window.MarketoChat (pop-up, inline), on a phone and from the demo page; back and start over.
 * The service is the fake of test/helpers/fake-chat-server.ts; resolve by dialogue id (which it
 * does not check yet) is answered by route interception, as the contract says the service will.
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

describe('conversational flows in Chromium', () => {
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
});
