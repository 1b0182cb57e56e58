import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { CalendarClient } from '../../src/calendar/calendar-types.js';
import { observeCalendar } from '../../src/calendar/observed-calendar.js';
import { MarketoCallObservers } from '../../src/clients/marketo/call-observers.js';
import { createLogger } from '../../src/logger.js';
import { createServiceMetrics } from '../../src/observability/service-metrics.js';

const access = { agentId: 'a1', refreshToken: 'refresh-token-value' };

function fakeCalendar(failCreate: boolean): CalendarClient {
  return {
    kind: 'google',
    getBusy: async () => [],
    createEvent: async () => {
      if (failCreate) throw new Error('Google said 503');
      return { eventId: 'evt-1' };
    },
    updateEvent: async () => ({ eventId: 'evt-1' }),
    cancelEvent: async () => undefined,
  };
}

const event = {
  meetingId: 'm1',
  start: 0,
  end: 1,
  timeZone: 'UTC',
  summary: 's',
  description: 'd',
  organizer: { name: 'A', email: 'a@example.com' },
  attendee: { email: 'v@example.org' },
  conference: false,
};

describe('observeCalendar: calendar errors for the metrics, the calls unchanged', () => {
  it('when a provider call fails, then the observer hears provider and operation, and the caller still gets the error', async () => {
    const onError = vi.fn();
    const client = observeCalendar(fakeCalendar(true), onError);
    await expect(client.createEvent(access, event)).rejects.toThrow('Google said 503');
    expect(onError).toHaveBeenCalledWith('google', 'createEvent');
    expect(client.kind).toBe('google');
    expect(client.getEvent).toBeUndefined();
  });

  it('when provider calls succeed, then nothing is reported and the answers are the provider’s', async () => {
    const onError = vi.fn();
    const client = observeCalendar(fakeCalendar(false), onError);
    await expect(client.createEvent(access, event)).resolves.toEqual({ eventId: 'evt-1' });
    await expect(client.getBusy(access, { start: 0, end: 1 })).resolves.toEqual([]);
    expect(onError).not.toHaveBeenCalled();
  });
});

describe('service metrics: Marketo credentials as readiness sees them', () => {
  it.each([
    [[], 'unknown'],
    [['MARKETO_AUTH_FAILED'], 'rejected'],
    [['MARKETO_URL_NOT_FOUND'], 'rejected'],
    // An outage (network, Identity 5xx) says nothing about the credentials.
    [['ok', 'MARKETO_UNREACHABLE'], 'ok'],
    [['MARKETO_AUTH_FAILED', 'MARKETO_UNREACHABLE'], 'rejected'],
    [['MARKETO_AUTH_FAILED', 'ok'], 'ok'],
  ])('when identity answered %j, then the credentials are %s', (results, expected) => {
    const metrics = createServiceMetrics();
    for (const result of results) metrics.onMarketoCall({ endpoint: 'identity', result, ms: 1 });
    // An API call's own failure is not an identity answer.
    metrics.onMarketoCall({ endpoint: 'syncLeads', result: '601', ms: 1 });
    expect(metrics.marketoCredentials()).toBe(expected);
  });

  it('when an observer throws, then the other observers still hear the call', () => {
    const observers = new MarketoCallObservers();
    const heard = vi.fn();
    observers.add(() => {
      throw new Error('broken metrics');
    });
    const remove = observers.add(heard);
    observers.emit({ endpoint: 'identity', result: 'ok', ms: 3 });
    remove();
    observers.emit({ endpoint: 'identity', result: 'ok', ms: 3 });
    expect(heard).toHaveBeenCalledTimes(1);
  });
});

describe('createLogger: LOG_FORMAT=pretty', () => {
  it('when the format is pretty, then lines are readable text, not JSON, and secrets are still redacted', () => {
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString('utf8');
        done();
      },
    });
    const logger = createLogger({ format: 'pretty', destination });
    logger.info({ req: { headers: { authorization: 'Bearer very-secret-admin-token' } } }, 'hello');
    expect(out).toContain('INFO');
    expect(out).toContain('hello');
    expect(out).not.toMatch(/^\{"level"/);
    expect(out).not.toContain('very-secret-admin-token');
    expect(out).toContain('[redacted]');
  });
});
