import { describe, expect, it } from 'vitest';
import { googleEventId } from '../../src/clients/google-calendar/index.js';
import { readGoogleEventResult } from '../../src/clients/google-calendar/google-event.js';
import { mergeIntervals, splitRange } from '../../src/clients/google-calendar/google-free-busy.js';

describe('googleEventId', () => {
  it.each([
    'm',
    'mtg-0001',
    '6f1c2b9e-3a7d-4e8f-9b0a-1c2d3e4f5a6b',
    'Ünïcødé meeting ✓',
    'x'.repeat(5_000),
  ])(
    'when the meeting id is %j, then the event id follows Google rules (base32hex, 5-1024) and is stable',
    (meetingId) => {
      const id = googleEventId(meetingId);
      expect(id).toMatch(/^[a-v0-9]{5,1024}$/);
      expect(googleEventId(meetingId)).toBe(id);
    },
  );

  it('when two meetings differ, then their event ids differ', () => {
    expect(googleEventId('mtg-1')).not.toBe(googleEventId('mtg-2'));
  });
});

describe('splitRange', () => {
  it.each([
    [{ start: 0, end: 10 }, 10, [{ start: 0, end: 10 }]],
    [
      { start: 0, end: 25 },
      10,
      [
        { start: 0, end: 10 },
        { start: 10, end: 20 },
        { start: 20, end: 25 },
      ],
    ],
    [{ start: 5, end: 5 }, 10, []],
    [{ start: 9, end: 3 }, 10, []],
  ])('when %j is split by %i, then %j', (range, span, expected) => {
    expect(splitRange(range, span)).toEqual(expected);
  });
});

describe('mergeIntervals', () => {
  const range = { start: 100, end: 200 };
  it.each([
    ['nothing', [], []],
    [
      'outside the range',
      [
        { start: 0, end: 100 },
        { start: 200, end: 300 },
      ],
      [],
    ],
    [
      'clipped at both ends',
      [
        { start: 50, end: 120 },
        { start: 180, end: 250 },
      ],
      [
        { start: 100, end: 120 },
        { start: 180, end: 200 },
      ],
    ],
    [
      'unsorted and overlapping',
      [
        { start: 150, end: 170 },
        { start: 110, end: 160 },
      ],
      [{ start: 110, end: 170 }],
    ],
    [
      'touching (a piece boundary)',
      [
        { start: 110, end: 130 },
        { start: 130, end: 140 },
      ],
      [{ start: 110, end: 140 }],
    ],
    [
      'nested',
      [
        { start: 110, end: 190 },
        { start: 120, end: 130 },
      ],
      [{ start: 110, end: 190 }],
    ],
    [
      'apart',
      [
        { start: 110, end: 120 },
        { start: 121, end: 130 },
      ],
      [
        { start: 110, end: 120 },
        { start: 121, end: 130 },
      ],
    ],
  ])('when %s, then sorted, clipped and joined', (_name, intervals, expected) => {
    expect(mergeIntervals(intervals, range)).toEqual(expected);
  });
});

describe('readGoogleEventResult', () => {
  it.each([
    [
      'a video entry point',
      {
        id: 'e1',
        conferenceData: {
          entryPoints: [
            { entryPointType: 'phone', uri: 'tel:+1' },
            { entryPointType: 'video', uri: 'https://meet.google.com/a-b-c' },
          ],
        },
      },
      { eventId: 'e1', meetingUrl: 'https://meet.google.com/a-b-c' },
    ],
    [
      'only hangoutLink',
      { id: 'e2', hangoutLink: 'https://meet.google.com/x-y-z' },
      { eventId: 'e2', meetingUrl: 'https://meet.google.com/x-y-z' },
    ],
    [
      'a pending create request',
      { id: 'e3', conferenceData: { createRequest: { status: { statusCode: 'pending' } } } },
      // Google makes the Meet link asynchronously: the link is read again later (item 20).
      { eventId: 'e3', meetingUrlPending: true },
    ],
    [
      'a create request that failed',
      { id: 'e5', conferenceData: { createRequest: { status: { statusCode: 'failure' } } } },
      { eventId: 'e5' },
    ],
    ['no conference', { id: 'e4' }, { eventId: 'e4' }],
  ])('when the event has %s, then the result is as expected', (_name, event, expected) => {
    expect(readGoogleEventResult(event)).toEqual(expected);
  });
});
