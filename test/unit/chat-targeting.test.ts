import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAudience } from '../../src/chat/audience.js';
import type { Audience } from '../../src/records/chat-targeting.js';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import { selectDialogue } from '../../src/chat/targeting.js';
import { matchesUrlPattern } from '../../src/chat/url-pattern.js';

const T = (minute: number) => new Date(Date.UTC(2026, 10, 1, 9, minute)).toISOString();
const EVERYONE: Audience = { visitors: 'all', match: 'all', groups: [] };

function content(
  name: string,
  priority: number,
  include: string[],
  extra: Partial<DialogueContent> = {},
): DialogueContent {
  return {
    name,
    audience: EVERYONE,
    pages: { include, exclude: [] },
    priority,
    start: 'hi',
    cards: [{ id: 'hi', type: 'message', text: 'Hello', next: null }],
    ...extra,
  };
}

function published(id: string, body: DialogueContent, minute = 0, enabled = true): Dialogue {
  return {
    id,
    enabled,
    draft: body,
    published: { version: 1, content: body, publishedAt: T(minute) },
    createdAt: T(0),
    updatedAt: T(minute),
  };
}

const pricingDE = published(
  'pricing-de',
  content('Pricing for German leads', 50, ['https://example.com/pricing*'], {
    audience: {
      visitors: 'known',
      match: 'all',
      groups: [
        { match: 'all', conditions: [{ field: 'country', operator: 'equals', value: 'DE' }] },
      ],
    },
  }),
);
const welcome = published(
  'welcome',
  content('Site-wide welcome', 10, ['https://example.com/*'], {
    pages: { include: ['https://example.com/*'], exclude: ['https://example.com/careers/*'] },
  }),
  1,
);
const blog = published(
  'blog',
  content('Anonymous blog readers', 30, ['https://example.com/blog/*'], {
    audience: { visitors: 'anonymous', match: 'all', groups: [] },
  }),
);
const lateWelcome = published(
  'late-welcome',
  content('Later welcome', 10, ['https://example.com/*']),
  5,
);
const switchedOff = published('off', content('Switched off', 100, ['*']), 0, false);
const draftOnly: Dialogue = {
  ...published('draft', content('Draft only', 99, ['*'])),
  published: null,
};

const DIALOGUES = [pricingDE, welcome, blog, lateWelcome, switchedOff, draftOnly];

const VISITORS = {
  anonymous: undefined,
  anna: { email: 'anna@example.de', country: 'DE' },
  bob: { email: 'bob@example.com', country: 'US' },
} as const;
type VisitorName = keyof typeof VISITORS;

describe('selectDialogue: which dialogue shows, by page and visitor', () => {
  it.each<[string, VisitorName, string | null]>([
    ['https://example.com/pricing', 'anna', 'pricing-de'],
    ['https://example.com/pricing?plan=pro', 'anna', 'pricing-de'],
    ['https://example.com/pricing', 'bob', 'welcome'],
    ['https://example.com/pricing', 'anonymous', 'welcome'],
    ['https://example.com/blog/post-1', 'anonymous', 'blog'],
    ['https://example.com/blog/post-1', 'anna', 'welcome'],
    ['https://example.com/careers/engineer', 'anna', 'late-welcome'],
    ['https://example.com/careers/engineer', 'anonymous', 'late-welcome'],
    ['https://other.example/pricing', 'anna', null],
  ])('on %s, %s sees %s', (pageUrl, visitor, expected) => {
    const { chosen, reasons } = selectDialogue({
      dialogues: DIALOGUES,
      chatEnabled: true,
      pageUrl,
      lead: VISITORS[visitor],
    });
    expect(chosen?.id ?? null).toBe(expected);
    expect(reasons.filter((reason) => reason.shown).map((reason) => reason.dialogueId)).toEqual(
      expected === null ? [] : [expected],
    );
  });

  it('when Anna opens the pricing page, then every other dialogue says why it did not show', () => {
    const { reasons } = selectDialogue({
      dialogues: DIALOGUES,
      chatEnabled: true,
      pageUrl: 'https://example.com/pricing',
      lead: VISITORS.anna,
    });
    expect(reasons).toEqual([
      {
        dialogueId: 'pricing-de',
        name: 'Pricing for German leads',
        shown: true,
        reason: 'shown: highest priority (50) of 3 matching dialogues',
      },
      {
        dialogueId: 'welcome',
        name: 'Site-wide welcome',
        shown: false,
        reason: 'lower priority than "Pricing for German leads" (10 < 50)',
      },
      {
        dialogueId: 'blog',
        name: 'Anonymous blog readers',
        shown: false,
        reason: 'page not targeted',
      },
      {
        dialogueId: 'late-welcome',
        name: 'Later welcome',
        shown: false,
        reason: 'lower priority than "Pricing for German leads" (10 < 50)',
      },
      { dialogueId: 'off', name: 'Switched off', shown: false, reason: 'dialogue switched off' },
      { dialogueId: 'draft', name: 'Draft only', shown: false, reason: 'not published' },
    ]);
  });

  it.each<[string, VisitorName, string, string]>([
    ['https://example.com/pricing', 'bob', 'pricing-de', 'audience: country equals "DE" not met'],
    ['https://example.com/pricing', 'anonymous', 'pricing-de', 'audience: visitor is anonymous'],
    ['https://example.com/blog/x', 'anna', 'blog', 'audience: visitor is known'],
    [
      'https://example.com/careers/x',
      'anna',
      'welcome',
      'page excluded (https://example.com/careers/*)',
    ],
    [
      'https://example.com/about',
      'bob',
      'late-welcome',
      'same priority as "Site-wide welcome" (10), which was published earlier',
    ],
    [
      'https://example.com/about',
      'bob',
      'welcome',
      'shown: highest priority (10) of 2 matching dialogues',
    ],
    [
      'https://example.com/careers/x',
      'bob',
      'late-welcome',
      'shown: the only dialogue that matches',
    ],
  ])('on %s, for %s, %s: %s', (pageUrl, visitor, dialogueId, reason) => {
    const { reasons } = selectDialogue({
      dialogues: DIALOGUES,
      chatEnabled: true,
      pageUrl,
      lead: VISITORS[visitor],
    });
    expect(reasons.find((r) => r.dialogueId === dialogueId)?.reason).toBe(reason);
  });

  it('when chat is disabled, then nothing shows and every dialogue says so', () => {
    const { chosen, reasons } = selectDialogue({
      dialogues: DIALOGUES,
      chatEnabled: false,
      pageUrl: 'https://example.com/pricing',
      lead: VISITORS.anna,
    });
    expect(chosen).toBeNull();
    expect(new Set(reasons.map((r) => r.reason))).toEqual(new Set(['chat disabled']));
    expect(reasons).toHaveLength(DIALOGUES.length);
  });

  it('when a dialogue is skipped for this visitor, then the next one shows and the reason is given', () => {
    const { chosen, reasons } = selectDialogue({
      dialogues: DIALOGUES,
      chatEnabled: true,
      pageUrl: 'https://example.com/pricing',
      lead: VISITORS.anna,
      skip: { 'pricing-de': 'already completed' },
    });
    expect(chosen?.id).toBe('welcome');
    expect(reasons[0]).toMatchObject({ dialogueId: 'pricing-de', reason: 'already completed' });
  });

  it('when two dialogues tie on priority and publish time, then the smaller id wins whatever the order', () => {
    const a = published('a', content('A', 5, ['*']), 3);
    const b = published('b', content('B', 5, ['*']), 3);
    for (const dialogues of [
      [a, b],
      [b, a],
    ]) {
      const result = selectDialogue({
        dialogues,
        chatEnabled: true,
        pageUrl: 'https://x.example/',
        lead: undefined,
      });
      expect(result.chosen?.id).toBe('a');
      expect(result.reasons.find((r) => r.dialogueId === 'b')?.reason).toBe(
        'same priority as "A" (5) and published at the same time; "A" has the smaller id',
      );
    }
  });

  it('when only the draft changed, then targeting still uses the published version', () => {
    const edited: Dialogue = { ...pricingDE, draft: content('Edited', 1000, ['*']) };
    const { chosen } = selectDialogue({
      dialogues: [edited, welcome],
      chatEnabled: true,
      pageUrl: 'https://example.com/about',
      lead: VISITORS.anna,
    });
    expect(chosen?.id).toBe('welcome');
  });
});

describe('selectDialogue: properties', () => {
  const pages = [
    'https://example.com/',
    'https://example.com/pricing',
    'https://shop.example.com/cart',
    'https://example.com/blog/a',
  ];
  const patterns = [
    '*',
    'https://example.com/*',
    'https://*.example.com/*',
    'https://example.com/pricing',
    'https://example.com/blog/*',
  ];
  const leads = [
    undefined,
    { email: 'a@x.com', country: 'DE' },
    { email: 'b@x.com', country: 'US' },
    { country: 'DE' },
  ];
  const audiences: Audience[] = [
    EVERYONE,
    { visitors: 'known', match: 'all', groups: [] },
    { visitors: 'anonymous', match: 'all', groups: [] },
    {
      visitors: 'all',
      match: 'all',
      groups: [
        { match: 'all', conditions: [{ field: 'country', operator: 'equals', value: 'DE' }] },
      ],
    },
  ];

  const dialogueArb = fc
    .record({
      id: fc.stringMatching(/^[a-z]{1,6}$/),
      enabled: fc.boolean(),
      isPublished: fc.boolean(),
      priority: fc.integer({ min: 0, max: 5 }),
      minute: fc.integer({ min: 0, max: 3 }),
      include: fc.subarray(patterns, { minLength: 1 }),
      exclude: fc.subarray(patterns, { maxLength: 1 }),
      audience: fc.constantFrom(...audiences),
    })
    .map((d): Dialogue => {
      const body = content(`Dialogue ${d.id}`, d.priority, d.include, {
        pages: { include: d.include, exclude: d.exclude },
        audience: d.audience,
      });
      const base = published(d.id, body, d.minute, d.enabled);
      return d.isPublished ? base : { ...base, published: null };
    });
  const inputArb = fc.record({
    dialogues: fc.uniqueArray(dialogueArb, { selector: (d) => d.id, maxLength: 8 }),
    chatEnabled: fc.boolean(),
    pageUrl: fc.constantFrom(...pages),
    lead: fc.constantFrom(...leads),
  });

  /** An oracle built from the parts: published, switched on, page and audience match. */
  function qualifies(
    d: Dialogue,
    pageUrl: string,
    lead: Record<string, unknown> | undefined,
  ): boolean {
    const p = d.published;
    return (
      p !== null &&
      d.enabled &&
      p.content.pages.include.some((pattern) => matchesUrlPattern(pattern, pageUrl)) &&
      !p.content.pages.exclude.some((pattern) => matchesUrlPattern(pattern, pageUrl)) &&
      matchesAudience(p.content.audience, lead)
    );
  }

  it('when a dialogue is chosen, then it qualifies and no qualifying dialogue has a higher priority', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const { chosen, reasons } = selectDialogue(input);
        const eligible = input.chatEnabled
          ? input.dialogues.filter((d) => qualifies(d, input.pageUrl, input.lead))
          : [];
        expect(chosen === null).toBe(eligible.length === 0);
        if (chosen !== null) {
          expect(eligible).toContain(chosen);
          const top = Math.max(...eligible.map((d) => d.published!.content.priority));
          expect(chosen.published!.content.priority).toBe(top);
        }
        expect(reasons.map((r) => r.dialogueId)).toEqual(input.dialogues.map((d) => d.id));
        expect(reasons.filter((r) => r.shown).map((r) => r.dialogueId)).toEqual(
          chosen ? [chosen.id] : [],
        );
      }),
    );
  });

  it('when the dialogues come in another order, then the same one is chosen', () => {
    fc.assert(
      fc.property(inputArb, fc.infiniteStream(fc.nat()), (input, stream) => {
        const keys = [...stream.take(input.dialogues.length)];
        const shuffled = input.dialogues
          .map((d, i) => ({ d, k: keys[i]! }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.d);
        expect(selectDialogue({ ...input, dialogues: shuffled }).chosen?.id).toBe(
          selectDialogue(input).chosen?.id,
        );
      }),
    );
  });
});
