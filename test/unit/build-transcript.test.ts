import { describe, expect, it } from 'vitest';
import type { DialogueContent } from '../../src/records/chat-dialogue.js';
import type { ConversationEntry, ConversationLog } from '../../src/records/conversation-log.js';
import { buildTranscript, transcriptOutcome } from '../../src/transcripts/build-transcript.js';

const T0 = Date.UTC(2026, 10, 24, 12);

const content: DialogueContent = {
  name: 'Qualify',
  audience: { visitors: 'all', match: 'all', groups: [] },
  pages: { include: ['https://example.com/*'], exclude: [] },
  priority: 1,
  start: 'about',
  cards: [
    {
      id: 'about',
      type: 'form',
      text: 'About you',
      submitLabel: 'Send',
      fields: [
        {
          key: 'company',
          label: 'Company',
          answer: { kind: 'text', maxLength: 100 },
          required: true,
        },
        { key: 'phone', label: 'Phone', answer: { kind: 'phone' }, required: false },
      ],
      next: 'list',
    },
    { id: 'list', type: 'action', action: { kind: 'add-to-list', listId: 42 }, next: 'won' },
    { id: 'won', type: 'goal', name: 'Qualified', next: null },
  ],
};

function log(
  entries: Array<Partial<ConversationEntry> & Pick<ConversationEntry, 'type'>>,
): ConversationLog {
  const full = entries.map((e, i) => ({
    eventId: `event-${i}`,
    dialogueId: 'd1',
    dialogueVersion: 3,
    at: T0 + i * 1000,
    ...e,
  }));
  return {
    summary: {
      conversationId: 'conv-0001',
      dialogueId: 'd1',
      dialogueVersion: 3,
      anonymousId: 'anon-0001',
      startedAt: T0,
      lastEventAt: T0 + (entries.length - 1) * 1000,
      types: [...new Set(full.map((e) => e.type))],
      entries: full.length,
    },
    entries: full,
  };
}

describe('transcript', () => {
  it.each([
    [['triggered', 'engaged', 'completed', 'meeting-booked'], 'booked'],
    [['triggered', 'engaged', 'completed'], 'completed'],
    [['triggered', 'engaged', 'email-given'], 'abandoned'],
    [['triggered'], 'abandoned'],
  ])('when the conversation had %o, then its outcome is %s', (types, outcome) => {
    expect(transcriptOutcome(types)).toBe(outcome);
  });

  it('when a form was answered and an action and a goal reached, then the steps name the fields, the action and the goal', () => {
    const t = buildTranscript(
      log([
        { type: 'engaged', cardsSeen: ['about'] },
        { type: 'answered', cardId: 'about', answers: { company: 'Acme', phone: '+1 555 0100' } },
        { type: 'action-reached', cardId: 'list' },
        { type: 'goal-reached', cardId: 'won', value: 'Qualified' },
      ]),
      content,
    );
    expect(t.dialogue).toEqual({ id: 'd1', name: 'Qualify', version: 3 });
    expect(t.outcome).toBe('abandoned');
    expect(t.steps.map(({ at: _at, ...step }) => step)).toEqual([
      { kind: 'card', cardId: 'about', cardType: 'form', text: 'About you' },
      { kind: 'engaged', pageUrl: null },
      {
        kind: 'answered',
        cardId: 'about',
        answers: [
          { key: 'company', label: 'Company', value: 'Acme' },
          { key: 'phone', label: 'Phone', value: '+1 555 0100' },
        ],
      },
      { kind: 'action-requested', cardId: 'list', action: 'add to list 42' },
      { kind: 'goal-reached', goal: 'Qualified' },
    ]);
  });

  it('when the conversation ran in French, then the card text and the form field labels are the French ones, a missing label the original', () => {
    const french: DialogueContent = {
      ...content,
      translations: { fr: { about: { text: 'À propos de vous', labels: ['Entreprise'] } } },
    };
    const t = buildTranscript(
      log([
        { type: 'engaged', cardsSeen: ['about'], language: 'fr' },
        { type: 'answered', cardId: 'about', answers: { company: 'Acme', phone: '+33 1 23' } },
      ]),
      french,
    );
    expect(t.steps.map(({ at: _at, ...step }) => step)).toEqual([
      { kind: 'card', cardId: 'about', cardType: 'form', text: 'À propos de vous' },
      { kind: 'engaged', pageUrl: null },
      {
        kind: 'answered',
        cardId: 'about',
        answers: [
          { key: 'company', label: 'Entreprise', value: 'Acme' },
          { key: 'phone', label: 'Phone', value: '+33 1 23' },
        ],
      },
    ]);
  });

  it('when the version the conversation ran is not kept, then texts are unavailable and cards show by id', () => {
    const t = buildTranscript(log([{ type: 'triggered', cardsSeen: ['about'] }]), undefined);
    expect(t.texts).toBe('unavailable');
    expect(t.dialogue.name).toBeNull();
    expect(t.steps[0]).toMatchObject({ kind: 'card', cardId: 'about', cardType: null, text: null });
  });
});
