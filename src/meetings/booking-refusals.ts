import { AppError, ValidationError } from '../errors.js';
import type { AgentCheck } from './meeting-availability.js';

/*
 * The answers a booking or a reschedule gives when no agent can take the slot: the visitor's
 * error (400 naming `start`), the slot taken (409), nobody able to take meetings or the
 * calendar down (503).
 */

/** 409 with the field: the slot went to someone else (or never was free); fresh slots follow. */
export class SlotTakenError extends AppError {
  constructor(message = 'That time is no longer available: please pick another slot') {
    super('SLOT_TAKEN', message, { httpStatus: 409, field: 'start' });
  }
}

/** Why nobody could take the slot: outside everyone's hours is the visitor's error (400). */
export function refusal(seen: AgentCheck[]): AppError {
  const reasons = new Set(seen.map((check) => (check.ok ? 'ok' : check.reason)));
  if ([...reasons].every((r) => r === 'inactive' || r === 'disconnected')) {
    return new AppError('NO_AGENTS_AVAILABLE', 'No agent can take meetings right now', {
      httpStatus: 503,
      retryable: true,
    });
  }
  const onlyHours = [...reasons].every((r) =>
    ['outside-hours', 'misaligned', 'too-soon', 'in-past', 'inactive', 'disconnected'].includes(r),
  );
  if (reasons.has('calendar-unavailable') && !reasons.has('busy') && !reasons.has('booked')) {
    return calendarDown();
  }
  if (seen.length === 0 || (onlyHours && !reasons.has('ok'))) {
    if (reasons.has('in-past')) return new ValidationError('start: is in the past', 'start');
    if (reasons.has('too-soon')) {
      return new ValidationError('start: too soon; the agents need more notice', 'start');
    }
    if (reasons.has('misaligned') && !reasons.has('outside-hours')) {
      return new ValidationError(
        'start: not an available slot (slots start on the booking grid; pick one from /chat/slots)',
        'start',
      );
    }
    return new ValidationError(
      'start: not an available slot (outside the agents\u2019 hours)',
      'start',
    );
  }
  return new SlotTakenError();
}

export function calendarDown(cause?: unknown): AppError {
  return new AppError(
    'CALENDAR_PROVIDER_UNAVAILABLE',
    'The calendar service is not answering: no meeting was booked. Please try again shortly',
    { httpStatus: 503, retryable: true, cause },
  );
}
