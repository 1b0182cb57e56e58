import { describe, expect, it } from 'vitest';
import type { Meeting, MeetingStatus } from '../../src/records/meeting-contract.js';
import {
  checkTransition,
  DEFAULT_NO_SHOW_GRACE_MS,
  type MeetingActor,
} from '../../src/meetings/meeting-status.js';

const start = Date.UTC(2026, 11, 1, 10);
const end = start + 30 * 60_000;
const before = start - 60_000;
const during = start + 60_000;
const after = end + 60_000;

type Row = [Meeting['status'], MeetingStatus, number, string];

describe('meeting state machine', () => {
  it.each<Row>([
    ['pending', 'booked', before, 'ok'],
    ['pending', 'cancelled', before, 'INVALID_TRANSITION'],
    ['booked', 'rescheduled', before, 'ok'],
    ['booked', 'cancelled', before, 'ok'],
    ['booked', 'cancelled', during, 'MEETING_STARTED'],
    ['booked', 'rescheduled', after, 'MEETING_STARTED'],
    ['booked', 'completed', before, 'MEETING_NOT_STARTED'],
    ['booked', 'no-show', before, 'MEETING_NOT_STARTED'],
    ['booked', 'completed', during, 'ok'],
    ['booked', 'completed', after, 'ok'],
    ['booked', 'no-show', after, 'ok'],
    ['booked', 'booked', before, 'INVALID_TRANSITION'],
    ['rescheduled', 'rescheduled', before, 'ok'],
    ['rescheduled', 'cancelled', before, 'ok'],
    ['rescheduled', 'completed', after, 'ok'],
    ['rescheduled', 'no-show', during, 'ok'],
    ['cancelled', 'booked', before, 'MEETING_FINAL'],
    ['cancelled', 'rescheduled', before, 'MEETING_FINAL'],
    ['completed', 'no-show', after, 'MEETING_FINAL'],
    ['no-show', 'completed', after, 'MEETING_FINAL'],
    ['completed', 'cancelled', after, 'MEETING_FINAL'],
  ])(
    'when a %s meeting is moved to %s (at %i), then the answer is %s',
    (from, to, now, expected) => {
      const check = checkTransition({ status: from, start, end }, to, now);
      expect(check.ok ? 'ok' : check.code).toBe(expected);
    },
  );
});

describe('a no-show reported after the meeting job completed the meeting', () => {
  const HOUR = 3600_000;
  const graceEnd = end + DEFAULT_NO_SHOW_GRACE_MS;
  it.each<[Meeting['status'], MeetingStatus, MeetingActor, number, number | undefined, string]>([
    ['completed', 'no-show', 'admin', end + HOUR, undefined, 'ok'],
    ['completed', 'no-show', 'admin', graceEnd, undefined, 'ok'],
    ['completed', 'no-show', 'admin', graceEnd + 1, undefined, 'MEETING_FINAL'],
    ['completed', 'no-show', 'admin', end + HOUR, 30 * 60_000, 'MEETING_FINAL'],
    ['completed', 'no-show', 'admin', end + HOUR, 2 * HOUR, 'ok'],
    ['completed', 'no-show', 'system', end + HOUR, undefined, 'MEETING_FINAL'],
    ['completed', 'no-show', 'visitor', end + HOUR, undefined, 'MEETING_FINAL'],
    ['completed', 'cancelled', 'admin', end + HOUR, undefined, 'MEETING_FINAL'],
    ['no-show', 'completed', 'admin', end + HOUR, undefined, 'MEETING_FINAL'],
    ['cancelled', 'no-show', 'admin', end + HOUR, undefined, 'MEETING_FINAL'],
    ['booked', 'no-show', 'admin', graceEnd + HOUR, undefined, 'ok'],
  ])(
    'when a %s meeting is moved to %s by %s (at %i, grace %s ms), then the answer is %s',
    (from, to, by, now, noShowGraceMs, expected) => {
      const options = noShowGraceMs === undefined ? { by } : { by, noShowGraceMs };
      const check = checkTransition({ status: from, start, end }, to, now, options);
      expect(check.ok ? 'ok' : check.code).toBe(expected);
    },
  );
});

describe('meeting state machine, a meeting being reassigned', () => {
  const reassigning: Meeting['reassigning'] = {
    since: before - 60_000,
    from: {
      status: 'booked',
      agentId: 'a1',
      agentName: 'Ana',
      agentEmail: 'ana@example.com',
      start,
      end,
      bufferAfterMs: 0,
      provider: 'google',
      routing: { rule: 'round-robin', pool: 'default', skipped: [] },
    },
  };

  it.each<[MeetingStatus, number]>([
    ['rescheduled', before],
    ['cancelled', before],
    ['completed', after],
    ['no-show', during],
  ])('when it is moved to %s, then it is refused until the move is done', (to, now) => {
    const check = checkTransition({ status: 'rescheduled', start, end, reassigning }, to, now);
    expect(check.ok ? 'ok' : check.code).toBe('MEETING_CHANGED');
    expect(checkTransition({ status: 'rescheduled', start, end }, to, now).ok).toBe(true);
  });
});
