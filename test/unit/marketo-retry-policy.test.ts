import { describe, expect, it } from 'vitest';
import {
  classifyMarketoFailure,
  isJobAlreadyQueued,
  type MarketoFailure,
  type MarketoFailureAction,
} from '../../src/clients/marketo/retry-policy.js';

const GET = { idempotent: true };
const POST = { idempotent: false };

const table: Array<[string, MarketoFailure, MarketoFailureAction]> = [
  // Marketo error codes in a success:false answer (help/rest-api/error-codes.md)
  ['code 502 on a GET', { marketoCode: '502', ...GET }, 'retry'],
  ['code 502 on a write (may have run)', { marketoCode: '502', ...POST }, 'fatal'],
  ['601 token invalid', { marketoCode: '601', ...GET }, 'reauth'],
  ['602 token expired', { marketoCode: '602', ...POST }, 'reauth'],
  ['603 access denied', { marketoCode: '603', ...GET }, 'fatal'],
  ['604 request time-out', { marketoCode: '604', ...POST }, 'retry'],
  ['605 method not supported', { marketoCode: '605', ...GET }, 'fatal'],
  ['606 rate limit', { marketoCode: '606', ...POST }, 'retry'],
  ['607 daily quota', { marketoCode: '607', ...GET }, 'wait-for-quota'],
  ['608 temporarily unavailable', { marketoCode: '608', ...POST }, 'retry'],
  ['609 invalid JSON', { marketoCode: '609', ...POST }, 'fatal'],
  ['610 resource not found', { marketoCode: '610', ...GET }, 'fatal'],
  ['611 system error', { marketoCode: '611', ...GET }, 'retry'],
  ['612 invalid content type', { marketoCode: '612', ...POST }, 'fatal'],
  ['615 concurrency limit', { marketoCode: '615', ...POST }, 'retry'],
  ['713 transient error', { marketoCode: '713', ...GET }, 'retry'],
  ['1003 invalid data', { marketoCode: '1003', ...GET }, 'fatal'],
  ['1004 lead not found', { marketoCode: '1004', ...POST }, 'fatal'],
  ['1006 field not found', { marketoCode: '1006', ...GET }, 'fatal'],
  ['1035 unsupported filter', { marketoCode: '1035', ...POST }, 'fatal'],
  [
    '1029 export daily quota',
    { marketoCode: '1029', message: 'Export daily quota 500MB exceeded', ...POST },
    'wait-for-quota',
  ],
  [
    '1029 queue full, reworded',
    { marketoCode: '1029', message: 'Too many jobs (10) in queue', ...POST },
    'retry',
  ],
  [
    '1029 with an unknown message',
    { marketoCode: '1029', message: 'Something else', ...POST },
    'fatal',
  ],
  [
    '1029 too many jobs in queue',
    { marketoCode: '1029', message: 'Too many jobs in queue', ...POST },
    'retry',
  ],
  ['1029 already queued', { marketoCode: '1029', message: 'Job already queued', ...POST }, 'fatal'],
  [
    'a Marketo code wins over the HTTP status',
    { marketoCode: '606', httpStatus: 503, ...POST },
    'retry',
  ],
  // HTTP-level failures
  ['HTTP 502 on a GET', { httpStatus: 502, ...GET }, 'retry'],
  ['HTTP 503 on a GET', { httpStatus: 503, ...GET }, 'retry'],
  ['HTTP 504 on a GET', { httpStatus: 504, ...GET }, 'retry'],
  ['HTTP 502 on a write', { httpStatus: 502, ...POST }, 'fatal'],
  ['HTTP 503 on a write', { httpStatus: 503, ...POST }, 'fatal'],
  ['HTTP 414 URI too long', { httpStatus: 414, ...GET }, 'fatal'],
  ['HTTP 413 payload too large', { httpStatus: 413, ...POST }, 'fatal'],
  ['HTTP 404', { httpStatus: 404, ...GET }, 'fatal'],
  ['HTTP 400', { httpStatus: 400, ...GET }, 'fatal'],
  // Network failures: resend only what is safe to run twice
  ['ECONNRESET on a GET', { networkCode: 'ECONNRESET', ...GET }, 'retry'],
  ['ECONNRESET on a write', { networkCode: 'ECONNRESET', ...POST }, 'fatal'],
  ['ETIMEDOUT on a GET', { networkCode: 'ETIMEDOUT', ...GET }, 'retry'],
  ['ETIMEDOUT on a write', { networkCode: 'ETIMEDOUT', ...POST }, 'fatal'],
  ['axios time-out (ECONNABORTED) on a GET', { networkCode: 'ECONNABORTED', ...GET }, 'retry'],
  ['axios time-out (ECONNABORTED) on a write', { networkCode: 'ECONNABORTED', ...POST }, 'fatal'],
  ['ECONNREFUSED on a write (nothing sent)', { networkCode: 'ECONNREFUSED', ...POST }, 'retry'],
  ['an unknown network error on a GET', { networkCode: 'ERR_SOMETHING', ...GET }, 'fatal'],
  ['nothing known at all', { ...GET }, 'fatal'],
];

describe('classifyMarketoFailure', () => {
  it.each(table)('when %s, then %s', (_name, failure, expected) => {
    expect(classifyMarketoFailure(failure)).toBe(expected);
  });

  it('when the same failure is classified twice, then the answer is the same (pure)', () => {
    const failure: MarketoFailure = { marketoCode: '606', idempotent: false };
    expect(classifyMarketoFailure(failure)).toBe(classifyMarketoFailure({ ...failure }));
  });
});

describe('isJobAlreadyQueued', () => {
  it.each([
    ['1029', 'Job already queued', true],
    ['1029', 'Too many jobs in queue', false],
    ['1029', 'Export daily quota exceeded', false],
    ['610', 'Job already queued', false],
  ])('when code %s says "%s", then %s', (marketoCode, message, expected) => {
    expect(isJobAlreadyQueued({ marketoCode, message })).toBe(expected);
  });
});
