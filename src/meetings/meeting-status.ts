import { AppError } from '../errors.js';
import type { Meeting, MeetingStatus } from '../records/meeting-contract.js';

/**
 * The meeting state machine (research/meetings-chat-peers.md §6.7; HubSpot's meeting outcomes):
 *
 *   pending ─▶ booked ─▶ rescheduled ─▶ rescheduled …
 *                 │            │
 *                 └──┬─────────┘
 *                    ├─▶ cancelled   (before the meeting starts)
 *                    ├─▶ completed   (once it has started; the completion job sets it after the end)
 *                    └─▶ no-show     (once it has started)
 *
 * cancelled, completed and no-show are terminal: nothing changes after them, with one
 * exception. The completion job marks a meeting completed within MEETING_JOB_INTERVAL_MS of its
 * end, sooner than an agent usually reports that the visitor never came; so an admin may still
 * turn `completed` into `no-show` for MEETING_NO_SHOW_GRACE_MS after the end (HubSpot lets a
 * meeting's outcome be set after the fact the same way). `pending` is the hold while the
 * calendar event is made; only the booking itself moves it to booked.
 */
export const TERMINAL_STATUSES: ReadonlySet<Meeting['status']> = new Set([
  'cancelled',
  'completed',
  'no-show',
]);

const NEXT: Readonly<Record<Meeting['status'], readonly MeetingStatus[]>> = {
  pending: ['booked'],
  booked: ['rescheduled', 'cancelled', 'completed', 'no-show'],
  rescheduled: ['rescheduled', 'cancelled', 'completed', 'no-show'],
  cancelled: [],
  completed: [],
  'no-show': [],
};

export type TransitionCheck = { ok: true } | { ok: false; code: string; message: string };

/** Who changes a meeting, as its history records it. */
export type MeetingActor = Meeting['history'][number]['by'];

/** How long after its end a completed meeting may still be marked no-show (7 days). */
export const DEFAULT_NO_SHOW_GRACE_MS = 7 * 24 * 3600_000;

export interface TransitionOptions {
  /** Who asks: only an admin reports a late no-show. */
  by?: MeetingActor;
  /** MEETING_NO_SHOW_GRACE_MS; DEFAULT_NO_SHOW_GRACE_MS when absent. */
  noShowGraceMs?: number;
}

/** Whether `meeting` may move to `to` at `now`; pure, table-tested. */
export function checkTransition(
  meeting: Pick<Meeting, 'status' | 'start' | 'end' | 'reassigning'>,
  to: MeetingStatus,
  now: number,
  options: TransitionOptions = {},
): TransitionCheck {
  // A move to another agent is under way: seconds, or until the meetings' job finishes one a
  // crash interrupted (reassign-recovery.ts). Nothing else may change it meanwhile.
  if (meeting.reassigning !== undefined) {
    return {
      ok: false,
      code: 'MEETING_CHANGED',
      message: 'The meeting is being given to another agent: try again in a moment',
    };
  }
  if (meeting.status === 'completed' && to === 'no-show' && options.by === 'admin') {
    const graceMs = options.noShowGraceMs ?? DEFAULT_NO_SHOW_GRACE_MS;
    if (now <= meeting.end + graceMs) return { ok: true };
    return {
      ok: false,
      code: 'MEETING_FINAL',
      message: `The meeting is completed and ended more than ${formatGrace(graceMs)} ago: it can no longer be marked no-show`,
    };
  }
  if (TERMINAL_STATUSES.has(meeting.status)) {
    return {
      ok: false,
      code: 'MEETING_FINAL',
      message: `The meeting is ${meeting.status}; nothing can change after that`,
    };
  }
  if (!NEXT[meeting.status].includes(to)) {
    return {
      ok: false,
      code: 'INVALID_TRANSITION',
      message: `A ${meeting.status} meeting cannot become ${to}`,
    };
  }
  if ((to === 'completed' || to === 'no-show') && now < meeting.start) {
    return {
      ok: false,
      code: 'MEETING_NOT_STARTED',
      message: `A meeting can be marked ${to} only once it has started`,
    };
  }
  if ((to === 'cancelled' || to === 'rescheduled') && now >= meeting.start) {
    return {
      ok: false,
      code: 'MEETING_STARTED',
      message: `A meeting that has started can no longer be ${to}`,
    };
  }
  return { ok: true };
}

/** `checkTransition`, as a 409 naming `status` when refused. */
export function assertTransition(
  meeting: Pick<Meeting, 'status' | 'start' | 'end' | 'reassigning'>,
  to: MeetingStatus,
  now: number,
  options: TransitionOptions = {},
): void {
  const check = checkTransition(meeting, to, now, options);
  if (!check.ok)
    throw new AppError(check.code, check.message, { httpStatus: 409, field: 'status' });
}

/** The number of Marketo events a meeting has had: the booking is 1, each change one more. */
export const meetingEventCount = (meeting: Pick<Meeting, 'history'>): number =>
  meeting.history.filter((entry) => entry.status !== 'pending').length;

function formatGrace(ms: number): string {
  const hours = ms / 3600_000;
  return hours >= 24 && hours % 24 === 0
    ? `${hours / 24} day(s)`
    : `${Math.round(ms / 60_000)} minute(s)`;
}
