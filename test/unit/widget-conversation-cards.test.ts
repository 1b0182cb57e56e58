import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/records/chat-cards.js';
import { BYE, dialogueOf, QUALIFY, setup } from '../helpers/widget-player-script.js';

/**
 * The player with issue 11's cards: input, form, question with a field, condition, document,
 * action; answers checked before sending and kept; cardsSeen and language on every event.
 */

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
