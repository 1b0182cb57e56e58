import { describe, expect, it } from 'vitest';
import { meetingWrites, stateOf } from '../../src/meetings/meeting-write-back.js';
import type { OutboxItem } from '../../src/store/types.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

function item(dedupeKey: string, status: OutboxItem['status'], extra: Partial<OutboxItem> = {}) {
  return {
    id: dedupeKey,
    kind: 'meeting-activity',
    dedupeKey,
    payload: { status: 'booked' },
    status,
    attempts: 1,
    nextAttemptAt: T0,
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  } as OutboxItem;
}

describe('a meeting write-back state', () => {
  it.each([
    [['done', 'pending'], 'pending'],
    [['done', 'dead'], 'dead'],
    [['dead', 'pending'], 'pending'],
    [['done', 'done'], 'delivered'],
  ] as const)('when its items are %j, then it is %s', (statuses, state) => {
    expect(stateOf(statuses.map((s, i) => item(`k${i}`, s)))).toBe(state);
  });

  it('when an event has follow-ups (~lead, ~settle@…), then they count as one write with the event, and other meetings and lead-field writes stay apart', () => {
    const writes = meetingWrites('m1', [
      item('meeting:m1#2', 'done', { payload: { status: 'cancelled' }, updatedAt: T0 + 5 }),
      item('meeting:m1#1', 'done'),
      item('meeting:m1#1~lead', 'done', { updatedAt: T0 + 1 }),
      item('meeting:m1#1~settle@123', 'pending', {
        updatedAt: T0 + 2,
        attempts: 2,
        lastError: 'timeout',
      }),
      item('meeting:m1#lead-agent', 'dead', { kind: 'lead-fields', payload: { email: 'x' } }),
      item('meeting:m10#1', 'dead'),
    ]);
    expect(writes).toEqual([
      {
        key: '1',
        kind: 'meeting-activity',
        event: 1,
        status: 'booked',
        state: 'pending',
        attempts: 4,
        lastError: 'timeout',
        updatedAt: new Date(T0 + 2).toISOString(),
      },
      expect.objectContaining({ key: '2', event: 2, status: 'cancelled', state: 'delivered' }),
      expect.objectContaining({ key: 'lead-agent', kind: 'lead-fields', state: 'dead' }),
    ]);
    expect(writes[2]).not.toHaveProperty('event');
  });
});
