import { describe, expect, it } from 'vitest';
import type {
  BranchRequest,
  Card,
  ChatEvent,
  PublishedDialogue,
} from '../../src/records/chat-contract.js';
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
 * The player with issue 11's cards: input, form, question with a field, condition, document,
 * action; answers checked before sending and kept; back and start over; cardsSeen and language
 * on every event. The view answers from a script.
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

function setup(
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

const dialogueOf = (start: string, cards: Card[]): PublishedDialogue => ({
  id: 'dlg-qualify',
  version: 3,
  name: 'Qualify',
  start,
  cards,
});

const PHONE: Card = {
  id: 'phone',
  type: 'input',
  text: 'Your phone number?',
  answer: { kind: 'phone' },
  field: 'phone',
  next: 'size',
};
const SIZE: Card = {
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
const ROUTE: Card = {
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
const PAPER: Card = {
  id: 'paper',
  type: 'document',
  text: 'Here is our guide.',
  document: { title: 'The guide (PDF)', url: 'https://acme.example/guide.pdf' },
  next: 'list',
};
const LIST: Card = {
  id: 'list',
  type: 'action',
  action: { kind: 'add-to-list', listId: 1001 },
  next: 'bye',
};
const BYE: Card = { id: 'bye', type: 'message', text: 'Thanks!', next: null };
const QUALIFY = dialogueOf('phone', [PHONE, SIZE, ROUTE, PAPER, LIST, BYE]);

describe('conversation cards', () => {
  it('when the visitor gives a phone and a size and the service branches to the document, then each answer is checked, sent, kept and passed to the branch, and the document and action are sent', async () => {
    const t = setup(QUALIFY, [['12ab'], ['+33 1 23 45 67 89'], 1], {
      branch: () => 'paper',
    });
    const { end } = await t.play();
    expect(end).toBe('completed');
    // The visitor opens the guide (twice: one activity is enough).
    t.documents[0]!.open();
    t.documents[0]!.open();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(t.errors).toEqual(['0: Please enter a phone number.']);
    expect(t.lines).toEqual([
      'bot: Your phone number?',
      'visitor: +33 1 23 45 67 89',
      'bot: How many people?',
      '(chose 11-100)',
      'visitor: 11-100',
      'bot: Here is our guide.',
      '(document The guide (PDF) https://acme.example/guide.pdf)',
      'bot: Thanks!',
    ]);
    // A short picklist is buttons; the phone a tel field whose label is the question.
    expect(t.forms[0]).toEqual([
      { label: 'Your phone number?', type: 'tel', autocomplete: 'tel', hideLabel: true },
    ]);
    expect(t.sent.map((e) => [e.type, e.cardId, e.answers, e.cardsSeen])).toEqual([
      ['triggered', undefined, undefined, undefined],
      ['engaged', undefined, undefined, ['phone']],
      ['answered', 'phone', { phone: '+33 1 23 45 67 89' }, undefined],
      ['answered', 'size', { size: 'mid' }, ['size']],
      ['action-reached', 'list', undefined, ['paper']],
      ['completed', undefined, undefined, ['bye']],
      ['document-opened', 'paper', undefined, undefined],
    ]);
    expect(t.sent.every((e) => e.language === 'en')).toBe(true);
    expect(t.branches).toEqual([
      {
        dialogueId: 'dlg-qualify',
        dialogueVersion: 3,
        cardId: 'route',
        conversationId: t.sent[0]!.conversationId,
        visitor: { anonymousId: expect.any(String) },
        answers: { phone: '+33 1 23 45 67 89', size: 'mid' },
      },
    ]);
    expect(t.emitted.filter(([name]) => name === 'answered').map(([, d]) => d)).toEqual([
      expect.objectContaining({
        dialogueId: 'dlg-qualify',
        cardId: 'phone',
        answers: { phone: '+33 1 23 45 67 89' },
      }),
      expect.objectContaining({
        dialogueId: 'dlg-qualify',
        cardId: 'size',
        answers: { size: 'mid' },
      }),
    ]);
    expect(t.memory.conversation('dlg-qualify')).toMatchObject({
      completed: true,
      answers: { phone: '+33 1 23 45 67 89', size: 'mid' },
      history: [],
      cardsSeen: [],
    });
  });

  it('when the branch cannot be asked, then the condition follows its otherwise', async () => {
    const t = setup(QUALIFY, [['0612345678'], 0]);
    await t.play();
    expect(t.lines.slice(-1)).toEqual(['bot: Thanks!']);
    expect(t.sent.map((e) => e.type)).not.toContain('action-reached');
  });

  it('when the service refuses an answer, then its message shows under that field and the answer is not kept', async () => {
    const t = setup(QUALIFY, [['0612345678'], ['+44 20 7946 0958'], 0], {
      refuse: (e) =>
        e.answers?.phone === '0612345678'
          ? { message: 'Must be a phone number', field: 'answers.phone' }
          : null,
    });
    await t.play();
    expect(t.errors).toEqual(['0: Must be a phone number']);
    expect(t.memory.conversation('dlg-qualify')?.answers).toEqual({
      phone: '+44 20 7946 0958',
      size: 'small',
    });
  });

  it('when the visitor reads French, then the widget words its checks in French and says so with each event', async () => {
    const t = setup(QUALIFY, [['abc'], ['0612345678'], 0], { language: 'fr' });
    await t.play();
    expect(t.errors).toEqual(['0: Veuillez saisir un numéro de téléphone.']);
    expect(t.sent.every((e) => e.language === 'fr')).toBe(true);
  });

  it('when a form is filled in, then every field is checked, an optional empty one is left out, and one answered event carries them all', async () => {
    const form: Card = {
      id: 'about',
      type: 'form',
      text: 'A few details',
      fields: [
        {
          key: 'company',
          label: 'Company',
          answer: { kind: 'text', maxLength: 5 },
          field: 'company',
          required: true,
        },
        {
          key: 'seats',
          label: 'Seats',
          answer: { kind: 'number', integer: true, min: 1 },
          required: true,
        },
        {
          key: 'role',
          label: 'Role',
          answer: {
            kind: 'picklist',
            options: [{ label: 'Sales' }, { label: 'Marketing', value: 'mkt' }],
          },
          required: true,
        },
        { key: 'note', label: 'Note', answer: { kind: 'text', maxLength: 200 }, required: false },
      ],
      submitLabel: 'Send details',
      next: 'bye',
    };
    const t = setup(dialogueOf('about', [form, BYE]), [
      ['Acme Inc', '2.5', 'mkt', ''],
      ['Acme', '2.5', 'mkt', ''],
      ['Acme', '12', 'mkt', ''],
    ]);
    await t.play();
    expect(t.errors).toEqual([
      '0: Please keep it under 5 characters.',
      '1: Please enter a whole number.',
    ]);
    expect(t.forms[0]!.map((f) => [f.label, f.type, f.required])).toEqual([
      ['Company', 'text', undefined],
      ['Seats', 'number', undefined],
      ['Role', 'select', undefined],
      ['Note', 'text', false],
    ]);
    expect(t.forms[0]![2]!.options).toEqual([
      { label: 'Sales', value: 'Sales' },
      { label: 'Marketing', value: 'mkt' },
    ]);
    expect(t.lines).toContain('visitor: Acme · 12 · Marketing');
    const answered = t.sent.filter((e) => e.type === 'answered');
    expect(answered.map((e) => [e.cardId, e.answers])).toEqual([
      ['about', { company: 'Acme', seats: '12', role: 'mkt' }],
    ]);
  });

  it('when a question has a field, then the chosen value is sent; without one, it is only kept', async () => {
    const ask = (id: string, field?: string): Card => ({
      id,
      type: 'question',
      text: `${id}?`,
      buttons: [
        { label: 'Yes', value: 'yes', next: id === 'q1' ? 'q2' : 'bye' },
        { label: 'No', next: 'bye' },
      ],
      ...(field ? { field } : {}),
    });
    const t = setup(dialogueOf('q1', [ask('q1', 'wantsNews'), ask('q2'), BYE]), [0, 1]);
    await t.play();
    expect(t.sent.filter((e) => e.type === 'answered').map((e) => e.answers)).toEqual([
      { q1: 'yes' },
    ]);
    expect(t.memory.conversation('dlg-qualify')?.answers).toEqual({ q1: 'yes', q2: 'No' });
  });

  it('when the visitor goes back, then the previous question is asked again with the later answers forgotten', async () => {
    const t = setup(QUALIFY, ['back', ['0612345678'], 'back', ['+33612345678'], 2]);
    await t.play();
    expect(t.lines).toEqual([
      'bot: Your phone number?',
      // Nothing answered yet: back is not offered, and a click on it changes nothing.
      '(back not offered)',
      'visitor: 0612345678',
      'bot: How many people?',
      '(back)',
      '(reset)',
      'bot: Your phone number?',
      'visitor: +33612345678',
      'bot: How many people?',
      '(chose 100+)',
      'visitor: 100+',
      'bot: Thanks!',
    ]);
    expect(t.memory.conversation('dlg-qualify')?.answers).toEqual({
      phone: '+33612345678',
      size: '100+',
    });
  });

  it('when an action was sent, then going back stops there', async () => {
    const ask: Card = {
      id: 'q',
      type: 'question',
      text: 'More?',
      buttons: [{ label: 'Yes', next: 'list2' }],
    };
    const list2: Card = { ...LIST, id: 'list2', next: 'q2' } as Card;
    const q2: Card = { ...ask, id: 'q2', text: 'Sure?', buttons: [{ label: 'Yes', next: 'bye' }] };
    const t = setup(dialogueOf('q', [ask, list2, q2, BYE]), [0, 'back', 0]);
    await t.play();
    expect(t.lines).toContain('(back not offered)');
    expect(t.sent.filter((e) => e.type === 'action-reached')).toHaveLength(1);
  });

  it('when the visitor starts over, then the conversation plays from its first card with nothing answered', async () => {
    const t = setup(QUALIFY, [['0612345678'], 'restart', ['0698765432'], 0]);
    const { picked } = await t.play();
    expect(t.lines.slice(0, 6)).toEqual([
      'bot: Your phone number?',
      'visitor: 0612345678',
      'bot: How many people?',
      '(restart)',
      '(reset)',
      'bot: Your phone number?',
    ]);
    expect(t.memory.conversation('dlg-qualify')).toMatchObject({
      conversationId: picked.record.conversationId,
      completed: true,
      answers: { phone: '0698765432', size: 'small' },
    });
  });

  it('when the page reloads after the document, then the document link comes back with the transcript', async () => {
    const useful: Card = {
      id: 'q',
      type: 'question',
      text: 'Useful?',
      buttons: [{ label: 'Yes', next: null }],
    };
    const t = setup(dialogueOf('paper', [{ ...PAPER, next: 'q' } as Card, useful]), []);
    await expect(t.play()).rejects.toThrow(/out of steps/);
    expect(t.memory.conversation('dlg-qualify')?.transcript).toEqual([
      {
        from: 'bot',
        text: 'Here is our guide.',
        document: {
          cardId: 'paper',
          title: 'The guide (PDF)',
          url: 'https://acme.example/guide.pdf',
        },
      },
      { from: 'bot', text: 'Useful?' },
    ]);
    t.lines.length = 0;
    await expect(t.play()).rejects.toThrow(/out of steps/);
    expect(t.lines).toEqual([
      'bot: Here is our guide.',
      '(document The guide (PDF) https://acme.example/guide.pdf)',
      'bot: Useful?',
    ]);
  });

  it("when a form keeps the contract's default submit label, then the widget says it in the visitor's language; a label of the marketer's stays", async () => {
    const form = (id: string, submitLabel: string, next: string | null): Card => ({
      id,
      type: 'form',
      text: 'Details',
      fields: [
        { key: `${id}-k`, label: 'K', answer: { kind: 'text', maxLength: 9 }, required: true },
      ],
      submitLabel,
      next,
    });
    const t = setup(
      dialogueOf('f1', [form('f1', 'Send', 'f2'), form('f2', 'Go!', null)]),
      [['a'], ['b']],
      {
        language: 'fr',
      },
    );
    await t.play();
    expect(t.submits).toEqual(['Envoyer', 'Go!']);
  });
});
