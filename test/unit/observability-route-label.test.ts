import express from 'express';
import { describe, expect, it } from 'vitest';
import { createSequentialIds } from '../../src/deps.js';
import { listRoutes } from '../../src/http/route-list.js';
import { createRouteLabeler, toRegex } from '../../src/observability/route-label.js';
import { requestIdFor } from '../../src/observability/request-id.js';

function app() {
  const a = express();
  a.get('/health', (_req, res) => res.end());
  const chat = express.Router();
  chat.get('/meetings/manage/:token', (_req, res) => res.end());
  chat.post('/meetings/manage/:token/cancel', (_req, res) => res.end());
  chat.get('/meetings/manage/:token/invite.ics', (_req, res) => res.end());
  a.use('/chat', chat);
  const api = express.Router();
  api.get('/leads/:id', (_req, res) => res.end());
  api.delete('/leads/:id', (_req, res) => res.end());
  a.use('/api', api);
  return a;
}

describe('createRouteLabeler: the route pattern, never the raw path', () => {
  const label = createRouteLabeler(() => listRoutes(app()));

  it.each([
    ['GET', '/health', '/health'],
    ['GET', '/health/', '/health'],
    ['GET', '/chat/meetings/manage/s3cr3t-capability-token', '/chat/meetings/manage/:token'],
    ['POST', '/chat/meetings/manage/tok/cancel', '/chat/meetings/manage/:token/cancel'],
    ['GET', '/chat/meetings/manage/tok/invite.ics', '/chat/meetings/manage/:token/invite.ics'],
    ['GET', '/chat/meetings/manage/tok/inviteXics', 'unmatched'],
    ['GET', '/api/leads/4242', '/api/leads/:id'],
    ['HEAD', '/api/leads/4242', '/api/leads/:id'],
    ['PUT', '/api/leads/4242', '/api/leads/:id'],
    ['GET', '/api/leads/4242/extra', 'unmatched'],
    ['GET', '/wp-login.php', 'unmatched'],
  ])('when %s %s arrives, then its label is %s', (method, path, expected) => {
    expect(label(method, path)).toBe(expected);
  });

  it('when a pattern has a wildcard or an optional part, then it matches as Express 5 would', () => {
    expect(toRegex('/files/*rest').test('/files/a/b.txt')).toBe(true);
    expect(toRegex('/report{.:format}').test('/report')).toBe(true);
    expect(toRegex('/report{.:format}').test('/report.csv')).toBe(true);
  });
});

describe('requestIdFor: a caller’s id is kept only when it is a short plain token', () => {
  it.each([
    ['abc-123', 'abc-123'],
    ['01HF8Z.trace:span_1', '01HF8Z.trace:span_1'],
    ['has space', 'req-1'],
    ['line\nbreak', 'req-1'],
    ['"quoted"', 'req-1'],
    ['x'.repeat(65), 'req-1'],
    ['', 'req-1'],
    [undefined, 'req-1'],
    [['a', 'b'], 'req-1'],
  ])('when X-Request-Id is %j, then the request id is %s', (incoming, expected) => {
    expect(requestIdFor(incoming, createSequentialIds('req'))).toBe(expected);
  });
});
