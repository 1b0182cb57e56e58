import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/records/chat-cards.js';
import type { DialogueContent } from '../../src/records/chat-dialogue.js';
import {
  checkForPublish,
  dialogueDraftSchema,
  findUnreachableCards,
  validateForPublish,
  type PublishProblem,
} from '../../src/chat/publish-validation.js';
import type { PublishContext } from '../../src/chat/publish-references.js';
import { DEFAULT_SYNC_FIELDS } from '../../src/config.js';
import { agentRecord } from '../helpers/chat-admin-app.js';

/**
 * welcome → question: "Book a demo" → book → done (goal)
 *                     "Just looking" → email → thanks
 */
function dialogue(overrides: Partial<DialogueContent> = {}): DialogueContent {
  return {
    name: 'Demo request',
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['https://example.com/*'], exclude: [] },
    priority: 10,
    start: 'welcome',
    cards: [
      { id: 'welcome', type: 'message', text: 'Hi {{lead.firstName:"there"}}!', next: 'ask' },
      {
        id: 'ask',
        type: 'question',
        text: 'What brings you here?',
        buttons: [
          { label: 'Book a demo', next: 'book' },
          { label: 'Just looking', next: 'email' },
        ],
      },
      { id: 'book', type: 'booking', text: 'Pick a time', routing: 'round-robin', next: 'done' },
      { id: 'done', type: 'goal', name: 'Demo booked', next: null },
      { id: 'email', type: 'email', field: 'email', text: 'Your email?', next: 'thanks' },
      { id: 'thanks', type: 'message', text: 'Thanks!', next: null },
    ],
    ...overrides,
  };
}

/** The example dialogue with cards replaced or added, by id. */
function withCards(...cards: Card[]): DialogueContent {
  const base = dialogue();
  const byId = new Map(base.cards.map((card) => [card.id, card]));
  for (const card of cards) byId.set(card.id, card);
  return { ...base, cards: [...byId.values()] };
}

const fields = (problems: PublishProblem[]) => problems.map((problem) => problem.field);

describe('validateForPublish', () => {
  it('when the dialogue is sound, then there is no problem', () => {
    expect(validateForPublish(dialogue())).toEqual([]);
  });

  it.each<[string, DialogueContent, string[]]>([
    ['the start card is missing', dialogue({ start: 'nope' }), ['start']],
    [
      'a next names no card (dangling branch)',
      withCards({ id: 'thanks', type: 'message', text: 'Thanks!', next: 'ghost' }),
      ['cards.5.next'],
    ],
    [
      "a button's next names no card",
      withCards({
        id: 'ask',
        type: 'question',
        text: 'Q',
        buttons: [
          { label: 'A', next: 'book' },
          { label: 'B', next: 'ghost' },
        ],
      }),
      ['cards.1.buttons.1.next'],
    ],
    [
      'two cards share an id',
      {
        ...dialogue(),
        cards: [...dialogue().cards, { id: 'thanks', type: 'message', text: 'Again', next: null }],
      },
      ['cards.6.id'],
    ],
    [
      'a path loops back',
      withCards({ id: 'thanks', type: 'message', text: 'Thanks!', next: 'ask' }),
      ['cards.5.next'],
    ],
    [
      'a card points at itself',
      withCards({ id: 'thanks', type: 'message', text: 'Thanks!', next: 'thanks' }),
      ['cards.5.next'],
    ],
    [
      'two bookings on one path',
      withCards({
        id: 'done',
        type: 'booking',
        text: 'Another?',
        routing: 'round-robin',
        next: null,
      }),
      ['cards.3'],
    ],
    [
      'a booking for one agent without the agent',
      withCards({ id: 'book', type: 'booking', text: 'Pick', routing: 'agent', next: 'done' }),
      ['cards.2.agentEmail'],
    ],
    [
      'a malformed lead token',
      withCards({
        id: 'welcome',
        type: 'message',
        text: 'Hi {{lead.firstName:"there}}',
        next: 'ask',
      }),
      ['cards.0.text'],
    ],
    [
      'two buttons with the same label',
      withCards({
        id: 'ask',
        type: 'question',
        text: 'Q',
        buttons: [
          { label: 'Yes', next: 'book' },
          { label: 'yes', next: 'email' },
        ],
      }),
      ['cards.1.buttons.1.label'],
    ],
    [
      'audience values unfit for their operators',
      dialogue({
        audience: {
          visitors: 'known',
          match: 'all',
          groups: [
            {
              match: 'all',
              conditions: [
                { field: 'country', operator: 'inList', value: 'DE' },
                { field: 'score', operator: 'greaterThan', value: 'high' },
                { field: 'country', operator: 'equals' },
                { field: 'company', operator: 'contains', value: ['a'] },
                { field: 'industry', operator: 'isEmpty' },
                { field: 'createdAt', operator: 'lessThan', value: '2025-01-01' },
              ],
            },
          ],
        },
      }),
      [
        'audience.groups.0.conditions.0.value',
        'audience.groups.0.conditions.1.value',
        'audience.groups.0.conditions.2.value',
        'audience.groups.0.conditions.3.value',
      ],
    ],
    [
      'target patterns without a host or with another scheme',
      dialogue({
        pages: { include: ['/pricing', 'https://example.com/*'], exclude: ['ftp://example.com/x'] },
      }),
      ['pages.include.0', 'pages.exclude.0'],
    ],
    [
      'the schema itself fails',
      { ...dialogue(), priority: -1, cards: [] } as DialogueContent,
      ['priority', 'cards'],
    ],
  ])('when %s, then the problem names %j', (_label, content, expected) => {
    expect(fields(validateForPublish(content))).toEqual(expected);
  });

  it('when there are several problems, then all of them are listed with messages', () => {
    const problems = validateForPublish(
      withCards(
        { id: 'thanks', type: 'message', text: 'Thanks!', next: 'ghost' },
        { id: 'book', type: 'booking', text: 'Pick', routing: 'agent', next: 'done' },
      ),
    );
    expect(problems).toEqual([
      { field: 'cards.5.next', message: 'leads to card "ghost", which does not exist' },
      {
        field: 'cards.2.agentEmail',
        message: 'a booking routed to one agent needs the agent email',
      },
    ]);
  });

  it('when bookings are on different branches, then each branch may have one', () => {
    const content = withCards(
      { id: 'email', type: 'email', field: 'email', text: 'Your email?', next: 'book2' },
      {
        id: 'book2',
        type: 'booking',
        text: 'Or book here',
        routing: 'agent',
        agentEmail: 'sam@example.com',
        next: 'thanks',
      },
    );
    expect(validateForPublish(content)).toEqual([]);
  });

  it('when two branches join before a booking, then it is still one booking per path', () => {
    const content = withCards({
      id: 'ask',
      type: 'question',
      text: 'Q',
      buttons: [
        { label: 'A', next: 'book' },
        { label: 'B', next: 'book' },
      ],
    });
    expect(validateForPublish(content)).toEqual([]);
  });

  it('when a card is unreachable, then publishing is allowed and the card is reported as a warning', () => {
    const content = withCards({ id: 'parked', type: 'message', text: 'Later', next: 'parked' });
    expect(validateForPublish(content)).toEqual([]);
    expect(findUnreachableCards(content)).toEqual(['parked']);
    expect(findUnreachableCards(dialogue())).toEqual([]);
  });

  it('when the input is not a dialogue at all, then the problem is reported, not thrown', () => {
    expect(validateForPublish(undefined)).toEqual([
      { field: '(dialogue)', message: expect.any(String) },
    ]);
  });
});

/** Sam is active and connected, Kim switched off, Lou's calendar disconnected. */
const AGENTS = [
  agentRecord('Sam'),
  agentRecord('Kim', { active: false }),
  agentRecord('Lou', { calendar: { provider: 'google', status: 'disconnected' } }),
];
const instance: PublishContext = {
  syncedFields: DEFAULT_SYNC_FIELDS,
  findAgentByEmail: (email) => AGENTS.find((a) => a.email === email.toLowerCase()),
};

const message = (id: string, text: string): Card => ({ id, type: 'message', text, next: null });
const bookingWith = (agentEmail: string): Card => ({
  id: 'book',
  type: 'booking',
  text: 'Pick a time',
  routing: 'agent',
  agentEmail,
  next: 'done',
});
const onField = (field: string): DialogueContent =>
  dialogue({
    audience: {
      visitors: 'known',
      match: 'all',
      groups: [{ match: 'all', conditions: [{ field, operator: 'equals', value: 'x' }] }],
    },
  });

describe('checkForPublish: what the dialogue names on this instance', () => {
  it('when the dialogue reads synced fields and names an active agent, then there is nothing to say', () => {
    const content = withCards(
      message('thanks', 'Thanks {{lead.FirstName}} from {{lead.leadCompany:"your company"}}!'),
      bookingWith('SAM@example.com'),
    );
    expect(checkForPublish(onField('Country'), instance)).toEqual({ problems: [], warnings: [] });
    expect(checkForPublish(content, instance)).toEqual({ problems: [], warnings: [] });
  });

  it.each<[string, DialogueContent, PublishProblem]>([
    [
      'a condition reads a field that is not synced',
      onField('score'),
      {
        field: 'audience.groups.0.conditions.0.field',
        message: expect.stringMatching(
          /^score is not a synced lead field \(SYNC_FIELDS: email, firstName.*\), so every visitor would count as having it empty/,
        ) as string,
      },
    ],
    [
      'a token without a default reads a field that is not synced',
      withCards(message('thanks', 'See you, {{lead.nickname}}!')),
      {
        field: 'cards.5.text',
        message: expect.stringMatching(
          /^\{\{lead.nickname\}\} reads nickname, which is not a synced lead field .*: it would be empty for every visitor$/,
        ) as string,
      },
    ],
    [
      'a token of another object is left raw',
      withCards(message('thanks', 'Greetings to {{company.name}}!')),
      {
        field: 'cards.5.text',
        message:
          '{{company.name}} is not a token this chat fills in (only {{lead.field}} tokens are): visitors would see it as typed',
      },
    ],
    [
      "a button's label has a token of another object",
      withCards({
        id: 'ask',
        type: 'question',
        text: 'Q',
        buttons: [
          { label: 'Yes', next: 'book' },
          { label: 'No, {{my.name}}', next: 'email' },
        ],
      }),
      {
        field: 'cards.1.buttons.1.label',
        message: expect.stringMatching(
          /^\{\{my.name\}\} is not a token this chat fills in/,
        ) as string,
      },
    ],
    [
      "a button's label has a malformed lead token",
      withCards({
        id: 'ask',
        type: 'question',
        text: 'Q',
        buttons: [
          { label: 'Yes, {{lead.firstName', next: 'book' },
          { label: 'No', next: 'email' },
        ],
      }),
      { field: 'cards.1.buttons.0.label', message: 'the lead token {{lead.firstName is malformed' },
    ],
    [
      'a booking names an agent that does not exist',
      withCards(bookingWith('ghost@example.com')),
      {
        field: 'cards.2.agentEmail',
        message:
          'no agent has the email ghost@example.com: every booking would be refused (add the agent, or route round robin)',
      },
    ],
  ])('when %s, then publishing is refused', (_label, content, problem) => {
    expect(checkForPublish(content, instance)).toEqual({ problems: [problem], warnings: [] });
  });

  it.each<[string, DialogueContent, string]>([
    [
      'a token with a default reads a field that is not synced',
      withCards(message('thanks', 'See you, {{lead.nickname:"friend"}}!')),
      'cards.5.text: {{lead.nickname:"friend"}} reads nickname, which is not a synced lead field (SYNC_FIELDS: ' +
        `${DEFAULT_SYNC_FIELDS.join(', ')}): every visitor sees the default "friend"`,
    ],
    [
      "the booking's agent is switched off",
      withCards(bookingWith('kim@example.com')),
      'cards.2.agentEmail: the agent Kim is switched off: no times are offered until they are active',
    ],
    [
      "the booking's agent has a disconnected calendar",
      withCards(bookingWith('lou@example.com')),
      'cards.2.agentEmail: the calendar of Lou is disconnected: no times are offered until it is connected again',
    ],
  ])('when %s, then it publishes with a warning', (_label, content, warning) => {
    expect(checkForPublish(content, instance)).toEqual({ problems: [], warnings: [warning] });
  });

  it('when the dialogue has problems of both kinds, then every one is listed, the dialogue’s own first', () => {
    const content = withCards(
      { id: 'thanks', type: 'message', text: '{{company.name}}', next: 'ghost' },
      bookingWith('ghost@example.com'),
    );
    expect(fields(checkForPublish(content, instance).problems)).toEqual([
      'cards.5.next',
      'cards.2.agentEmail',
      'cards.5.text',
    ]);
  });
});

describe('dialogueDraftSchema: what a draft save checks', () => {
  const issues = (content: unknown) => {
    const parsed = dialogueDraftSchema.safeParse(content);
    return parsed.success
      ? []
      : parsed.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
  };

  it('when one pattern has an impossible port and another is a path, then both are named beside every other bad field', () => {
    const content = {
      ...dialogue({
        pages: { include: ['https://example.com:99999/*', 'pricing'], exclude: ['a?b'] },
      }),
      priority: 5000,
    };
    expect(issues(content)).toEqual([
      ['pages.include.0', 'the pattern has port 99999; a port is a number from 1 to 65535'],
      ['pages.include.1', expect.stringMatching(/^the pattern "pricing" is read as the host/)],
      ['pages.exclude.0', 'URL patterns cannot contain query parameters'],
      ['priority', expect.any(String)],
    ]);
  });

  it('when the draft is sound but half done, then it saves (the publish checks wait)', () => {
    expect(issues(withCards(message('thanks', '{{company.name}}')))).toEqual([]);
    expect(issues(dialogue({ start: 'nope' }))).toEqual([]);
  });
});
