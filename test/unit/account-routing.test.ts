import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import {
  accountMatchProblem,
  accountRoutesSchema,
  findAccount,
  normalizeAccountMatch,
} from '../../src/records/account-routing.js';
import { agentInputSchema, type Agent } from '../../src/records/meeting-contract.js';
import { accountListCsv, parseAccountCsv } from '../../src/routing/account-list-csv.js';
import { planRouting } from '../../src/routing/meeting-routing.js';

const agent = (id: string, email: string): Agent => ({
  ...agentInputSchema.parse({ name: id.toUpperCase(), email }),
  id,
  calendar: { provider: 'local', status: 'connected' },
  createdAt: 0,
  updatedAt: 0,
});
const agents = [agent('ana', 'ana@example.com'), agent('ben', 'ben@example.com')];

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('account matches (records/account-routing.ts)', () => {
  it.each([
    ['  ACME.com ', 'acme.com'],
    ['Globex   Corporation', 'globex corporation'],
    ['\tInitech\n', 'initech'],
  ])('when %j is normalised, then it is %j', (raw, normal) => {
    expect(normalizeAccountMatch(raw)).toBe(normal);
  });

  it.each([
    ['acme.com', undefined],
    ['eu.acme.co.uk', undefined],
    ['acme inc.', undefined],
    ['3m', undefined],
    ['', 'must not be empty'],
    ['sales@acme.com', 'not an email'],
    ['acme..com', 'not a valid domain'],
    ['-acme.com', 'not a valid domain'],
    ['acme.c', 'not a valid domain'],
    ['acme.', 'not a valid domain'],
    ['x'.repeat(201), 'at most 200'],
  ])('when the match is %j, then its problem is %j', (match, problem) => {
    const found = accountMatchProblem(match);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  const routes = [
    { match: 'acme.com', agentId: 'ana' },
    { match: 'eu.acme.com', agentId: 'ben' },
    { match: 'globex corporation', agentId: 'ben' },
    { match: 'booking.com', agentId: 'ana' },
  ];

  it.each([
    ['jo@acme.com', undefined, 'ana', 'domain'],
    ['jo@ACME.COM', undefined, 'ana', 'domain'],
    ['jo@sales.acme.com', undefined, 'ana', 'domain'],
    ['jo@eu.acme.com', undefined, 'ben', 'domain'],
    ['jo@gmail.com', '  Globex  CORPORATION ', 'ben', 'company'],
    ['jo@gmail.com', 'Booking.com', 'ana', 'company'],
    ['jo@acme.com', 'Globex Corporation', 'ana', 'domain'],
  ])(
    'when %s of company %j books, then the account is %s’s, by %s',
    (email, company, agentId, by) => {
      expect(findAccount(routes, { email, company })).toMatchObject({ route: { agentId }, by });
    },
  );

  it('when nothing matches (or only the top-level domain would), then there is no account', () => {
    expect(findAccount(routes, { email: 'jo@com' })).toBeUndefined();
    expect(findAccount(routes, { email: 'jo@example.org', company: 42 })).toBeUndefined();
    expect(
      findAccount([{ match: 'acme corp', agentId: 'ana' }], { email: 'jo@acme.corp' }),
    ).toBeUndefined();
  });

  it('when the stored list holds a match twice or one not normalised, then the schema refuses it', () => {
    expect(accountRoutesSchema.safeParse([routes[0], routes[0]]).success).toBe(false);
    expect(accountRoutesSchema.safeParse([{ match: 'Acme.com', agentId: 'ana' }]).success).toBe(
      false,
    );
    expect(accountRoutesSchema.safeParse(routes).success).toBe(true);
  });

  it('when an account matches, then its agent is planned first, before the owner, rules and the rotation', () => {
    const plans = planRouting({
      agents,
      rules: [],
      lead: { ownerEmail: 'ben@example.com' },
      ownerField: 'ownerEmail',
      account: { route: { match: 'acme.com', agentId: 'ana' }, by: 'domain' },
    });
    expect(plans.map((p) => [p.rule, p.agentIds])).toEqual([
      ['account', ['ana']],
      ['owner', ['ben']],
      ['fallback-round-robin', ['ana', 'ben']],
    ]);
    expect(plans[0]).toMatchObject({ account: { match: 'acme.com', by: 'domain' } });
  });
});

describe('the account list as CSV (routing/account-list-csv.ts)', () => {
  it('when a good file comes, then each row is an entry, agents by id or email, matches normalised, in file order', () => {
    const csv =
      '\uFEFFmatch,agentId\r\nACME.com,ana\r\n"Globex, Inc.",BEN@example.com\r\n\r\nInitech , ben\r\n';
    expect(parseAccountCsv(csv, agents)).toEqual([
      { match: 'acme.com', agentId: 'ana' },
      { match: 'globex, inc.', agentId: 'ben' },
      { match: 'initech', agentId: 'ben' },
    ]);
  });

  it('when rows are bad, then nothing is taken and the error names every bad row, its line and field', () => {
    const csv = [
      'match,agentId',
      'acme.com,ana', // row 1
      ',ana', // row 2: empty match
      'initech,nobody', // row 3: unknown agent
      'ACME.COM,ben', // row 4: duplicate of row 1
      'acme..com,ben', // row 5: bad domain
      'globex,ben,extra', // row 6: three fields
      'hooli,', // row 7: empty agent
    ].join('\n');
    const error = refusal(() => parseAccountCsv(csv, agents));
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      httpStatus: 400,
      field: 'rows.2.match',
    });
    expect(error.details?.['issues']).toEqual([
      { field: 'rows.2.match', message: 'row 2 (line 3): match must not be empty' },
      { field: 'rows.3.agentId', message: 'row 3 (line 4): agentId names no agent (nobody)' },
      { field: 'rows.4.match', message: 'row 4 (line 5): match acme.com is already on row 1' },
      {
        field: 'rows.5.match',
        message: expect.stringContaining('row 5 (line 6): match is not a valid domain'),
      },
      {
        field: 'rows.6',
        message: 'row 6 (line 7): must have 2 fields (match,agentId), found 3',
      },
      { field: 'rows.7.agentId', message: 'row 7 (line 8): agentId must not be empty' },
    ]);
    expect(error.message).toContain('nothing imported');
  });

  it.each([
    ['an empty body', ''],
    ['another header', 'domain,owner\nacme.com,ana\n'],
    ['a header of three columns', 'match,agentId,notes\n'],
  ])('when the file has %s, then the header is refused', (_what, csv) => {
    expect(refusal(() => parseAccountCsv(csv, agents))).toMatchObject({ field: 'header' });
  });

  it('when a quote is left open, then the whole file is refused naming the body', () => {
    expect(refusal(() => parseAccountCsv('match,agentId\n"acme.com,ana\n', agents))).toMatchObject({
      field: 'body',
    });
  });

  it('when the list is written as CSV, then reading it back gives the same list', () => {
    const routes = [
      { match: 'acme.com', agentId: 'ana' },
      { match: 'globex, "the" inc.', agentId: 'ben' },
    ];
    const csv = accountListCsv(routes);
    expect(csv.split('\r\n')[0]).toBe('match,agentId');
    expect(parseAccountCsv(csv, agents)).toEqual(routes);
  });
});
