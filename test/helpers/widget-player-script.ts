import type { Card } from '../../src/records/chat-cards.js';
import type { BranchRequest, PublishedDialogue } from '../../src/records/chat-widget-api.js';
import type { ChatEvent } from '../../src/records/chat-event.js';
import type { EventOutcome } from '../../src/chat/widget/chat-api-client.js';
import type { ChatView, FormField, Navigation } from '../../src/chat/widget/chat-view.js';
import { playConversation, type PlayerDeps } from '../../src/chat/widget/conversation-player.js';
import { createNavigator } from '../../src/chat/widget/conversation-steps.js';
import {
  createVisitorMemory,
  pickConversation,
  type KeyValueStorage,
} from '../../src/chat/widget/visitor-memory.js';
import { STRINGS } from '../../src/chat/widget/widget-strings.js';

/**
 * The player for node tests of issue 11's cards (test/unit/widget-conversation-cards and
 * -navigation): a view that answers from a script, an API that records what it was sent, and
 * the Qualify dialogue (phone, size, condition, document, action).
 */

/** A button's index, a form's values, or a click on back or start over. */
type Step = number | string[] | Navigation;

function mapStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

function scriptedView(steps: Step[], go: (to: Navigation) => void) {
  const lines: string[] = [];
  const errors: string[] = [];
  const forms: FormField[][] = [];
  const documents: Array<{ title: string; url: string; open: () => void }> = [];
  /** Each form's submit button label. */
  const submits: string[] = [];
  let backOffered = false;
  const next = <T>(answer: (step: Step) => T): Promise<T> => {
    {
      const step = steps.shift();
      if (step === undefined)
        return Promise.reject(new Error(`out of steps after ${lines.at(-1)}`));
      if (step === 'back' || step === 'restart') {
        lines.push(`(${step}${step === 'back' && !backOffered ? ' not offered' : ''})`);
        go(step);
        return new Promise(() => {});
      }
      return Promise.resolve(answer(step));
    }
  };
  const view: ChatView = {
    showLauncher: async () => {},
    open: () => {},
    reset: () => void lines.push('(reset)'),
    showDocument: (title, url, open) => {
      documents.push({ title, url, open });
      lines.push(`(document ${title} ${url})`);
    },
    navigate: () => {},
    canGoBack: (on) => void (backOffered = on),
    say: (from, text) => void lines.push(`${from}: ${text}`),
    typing: () => {},
    choose: (labels) =>
      next((step) => {
        lines.push(`(chose ${labels[step as number]})`);
        return step as number;
      }),
    pickSlot: async () => 'later',
    showMeeting: () => ({ choose: async () => 0, pickSlot: async () => 'later', show: () => {} }),
    fillIn: async (fields, label, check) => {
      forms.push(fields);
      submits.push(label);
      for (;;) {
        const values = await next((step) => step as string[]);
        const problem = await check(values);
        if (!problem) return values;
        errors.push(typeof problem === 'string' ? problem : `${problem.field}: ${problem.message}`);
      }
    },
  };
  return { view, lines, errors, forms, documents, submits };
}

export function setup(
  dialogue: PublishedDialogue,
  steps: Step[],
  options: {
    refuse?: (e: ChatEvent) => { message: string; field?: string } | null;
    branch?: (r: BranchRequest) => string | null | undefined;
    language?: 'en' | 'fr';
  } = {},
) {
  const memory = createVisitorMemory(mapStorage(), mapStorage(), newIds());
  const sent: ChatEvent[] = [];
  const branches: BranchRequest[] = [];
  const emitted: Array<[string, Record<string, unknown>]> = [];
  const navigator = createNavigator();
  const scripted = scriptedView(steps, navigator.go);
  const language = options.language ?? 'en';
  const deps: PlayerDeps = {
    api: {
      sendEvent: async (event): Promise<EventOutcome> => {
        const refused = options.refuse?.(event);
        if (refused) return { ok: false, ...refused };
        sent.push(event);
        return { ok: true };
      },
      slots: async () => ({ ok: false, message: 'not in this test' }),
      book: async () => ({ kind: 'refused', message: 'not in this test' }),
      cancelMeeting: async () => ({ kind: 'refused', message: 'not in this test' }),
      branch: async (request) => {
        branches.push(request);
        const next = options.branch?.(request);
        return next === undefined ? null : { next };
      },
    },
    memory,
    view: scripted.view,
    emit: (name, detail) => void emitted.push([name, detail]),
    sleep: async () => {},
    newId: newIds(),
    now: () => Date.parse('2026-11-24T08:00:00Z'),
    timeZone: 'Europe/Paris',
    pageUrl: 'https://acme.example/',
    mktoTrk: () => undefined,
    responseDelayMs: 0,
    strings: STRINGS[language],
    language,
    navigator,
  };
  const play = async () => {
    const picked = pickConversation(memory, dialogue, newIds());
    if (!picked) throw new Error('nothing to play');
    return { end: await playConversation(deps, picked.dialogue, picked.record), picked };
  };
  return { ...scripted, memory, sent, branches, emitted, play };
}

function newIds() {
  let n = 0;
  return () => `id-${String(++n).padStart(8, '0')}`;
}

export const dialogueOf = (start: string, cards: Card[]): PublishedDialogue => ({
  id: 'dlg-qualify',
  version: 3,
  name: 'Qualify',
  start,
  cards,
});

export const PHONE: Card = {
  id: 'phone',
  type: 'input',
  text: 'Your phone number?',
  answer: { kind: 'phone' },
  field: 'phone',
  next: 'size',
};
export const SIZE: Card = {
  id: 'size',
  type: 'input',
  text: 'How many people?',
  answer: {
    kind: 'picklist',
    options: [
      { label: '1-10', value: 'small' },
      { label: '11-100', value: 'mid' },
      { label: '100+' },
    ],
  },
  field: 'numberOfEmployees',
  next: 'route',
};
export const ROUTE: Card = {
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
};
export const PAPER: Card = {
  id: 'paper',
  type: 'document',
  text: 'Here is our guide.',
  document: { title: 'The guide (PDF)', url: 'https://acme.example/guide.pdf' },
  next: 'list',
};
export const LIST: Card = {
  id: 'list',
  type: 'action',
  action: { kind: 'add-to-list', listId: 1001 },
  next: 'bye',
};
export const BYE: Card = { id: 'bye', type: 'message', text: 'Thanks!', next: null };
export const QUALIFY = dialogueOf('phone', [PHONE, SIZE, ROUTE, PAPER, LIST, BYE]);
