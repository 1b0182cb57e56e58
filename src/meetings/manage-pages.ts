import { DateTime } from 'luxon';
import { escapeHtml, pageLayout } from '../http/html-page.js';
import type { PublicMeeting, SlotsResponse } from './booking-contract.js';

/**
 * The pages behind the visitor's links (manage, cancel, reschedule), for a visitor who opens
 * them from the confirmation or the calendar invitation rather than from the widget. Plain
 * HTML forms, no script (the service's CSP allows none inline), every value escaped.
 */

const when = (meeting: PublicMeeting) => {
  const start = DateTime.fromISO(meeting.start, { setZone: true });
  const end = DateTime.fromISO(meeting.end, { setZone: true });
  return `${start.toFormat('cccc d LLLL yyyy, HH:mm')}–${end.toFormat('HH:mm')} (${meeting.timeZone})`;
};

const STATUS_TEXT: Record<string, string> = {
  booked: 'Booked',
  rescheduled: 'Booked (moved)',
  cancelled: 'Cancelled',
  completed: 'Took place',
  'no-show': 'Missed',
};

export function managePage(meeting: PublicMeeting, note?: string): string {
  const active = meeting.status === 'booked' || meeting.status === 'rescheduled';
  const join =
    meeting.meetingUrl !== undefined && /^https?:\/\//.test(meeting.meetingUrl)
      ? `<p><a class="button" href="${escapeHtml(meeting.meetingUrl)}">Join the meeting</a></p>`
      : '';
  const actions = active
    ? `<p><a class="button" href="${escapeHtml(meeting.rescheduleUrl)}">Pick another time</a>` +
      `<a class="button" href="${escapeHtml(meeting.cancelUrl)}">Cancel the meeting</a></p>`
    : '';
  return pageLayout(
    'Your meeting',
    (note === undefined ? '' : `<p class="note">${escapeHtml(note)}</p>`) +
      `<p><strong>${escapeHtml(when(meeting))}</strong><br>With ${escapeHtml(meeting.agent.name)}<br>` +
      `Status: ${escapeHtml(STATUS_TEXT[meeting.status] ?? meeting.status)}</p>` +
      join +
      `<p><a class="button" href="${escapeHtml(meeting.icsUrl)}">Add to calendar (.ics)</a></p>` +
      actions,
  );
}

export function cancelPage(meeting: PublicMeeting): string {
  return pageLayout(
    'Cancel your meeting?',
    `<p>${escapeHtml(when(meeting))} with ${escapeHtml(meeting.agent.name)}</p>` +
      `<form method="post" action="${escapeHtml(meeting.cancelUrl)}">` +
      '<button class="primary" type="submit">Yes, cancel it</button></form>' +
      `<a class="button" href="${escapeHtml(meeting.manageUrl)}">Keep it</a>`,
  );
}

export function reschedulePage(
  meeting: PublicMeeting,
  slots: SlotsResponse,
  note?: string,
): string {
  const days = slots.days
    .map(
      (day) =>
        `<h2>${escapeHtml(DateTime.fromISO(day.date).toFormat('cccc d LLLL'))}</h2>` +
        day.slots
          .map(
            (slot) =>
              `<form method="post" action="${escapeHtml(meeting.rescheduleUrl)}">` +
              `<input type="hidden" name="start" value="${escapeHtml(slot.start)}">` +
              `<button type="submit">${escapeHtml(DateTime.fromISO(slot.start, { setZone: true }).toFormat('HH:mm'))}</button></form>`,
          )
          .join(''),
    )
    .join('');
  return pageLayout(
    'Pick another time',
    (note === undefined ? '' : `<p class="note">${escapeHtml(note)}</p>`) +
      `<p>Now: ${escapeHtml(when(meeting))} with ${escapeHtml(meeting.agent.name)}. Times in ${escapeHtml(slots.timeZone)}.</p>` +
      (days === '' ? '<p>No free times in the next two weeks.</p>' : days) +
      `<p><a class="button" href="${escapeHtml(meeting.manageUrl)}">Keep the current time</a></p>`,
  );
}
