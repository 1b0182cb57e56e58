import { DateTime } from 'luxon';
import type { SlotsResponse } from './booking-contract.js';
import { escapeHtml, pageLayout } from '../http/html-page.js';

/**
 * The booking page a Marketo email or landing page links to (the Call Webhook's `bookingUrl`,
 * `/chat/book?agent=<id>`): the same booking as the widget's, as plain pages and forms with
 * no script. Every value is escaped.
 */
export interface BookPageQuery {
  agentId?: string;
  timeZone: string;
  /** The meeting type the slots are for (agent `meetingTypes` id). */
  meetingType?: string;
}

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();

export function slotsPage(args: {
  agentName?: string;
  query: BookPageQuery;
  slots: SlotsResponse;
}): string {
  const { agentId, timeZone, meetingType } = args.query;
  const days = args.slots.days
    .map(
      (day) =>
        `<h2>${escapeHtml(DateTime.fromISO(day.date).toFormat('cccc d LLLL'))}</h2>` +
        day.slots
          .map((slot) => {
            const href = `/chat/book/confirm?${query({ agent: agentId, timeZone, meetingType, start: slot.start })}`;
            const label = DateTime.fromISO(slot.start, { setZone: true }).toFormat('HH:mm');
            return `<a class="button" href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
          })
          .join(''),
    )
    .join('');
  const zoneForm =
    `<form method="get" action="/chat/book"><input type="hidden" name="agent" value="${escapeHtml(agentId ?? '')}">` +
    (meetingType === undefined
      ? ''
      : `<input type="hidden" name="meetingType" value="${escapeHtml(meetingType)}">`) +
    `<label>Time zone <input name="timeZone" value="${escapeHtml(timeZone)}" size="22"></label> ` +
    '<button type="submit">Show</button></form>';
  // The other meeting types on offer, each a link to its own slots.
  const types = (args.slots.meetingTypes ?? [])
    .map((type) => {
      const href = `/chat/book?${query({ agent: agentId, timeZone, meetingType: type.id })}`;
      const label = `${type.name} (${type.minutes} min)`;
      return type.id === meetingType
        ? `<strong>${escapeHtml(label)}</strong>`
        : `<a class="button" href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
    })
    .join(' ');
  return pageLayout(
    args.agentName === undefined ? 'Book a meeting' : `Book a meeting with ${args.agentName}`,
    (types === '' ? '' : `<p>${types}</p>`) +
      `<p>${escapeHtml(args.slots.meetingType?.name ?? 'Meeting')}: ${args.slots.durationMinutes} minutes. Times in ${escapeHtml(timeZone)}.</p>${zoneForm}` +
      (days === '' ? '<p>No free times in the next two weeks.</p>' : days),
  );
}

export function confirmPage(args: {
  query: BookPageQuery;
  start: string;
  idempotencyKey: string;
  agentName?: string;
  error?: string;
  values?: { name?: string; email?: string };
}): string {
  const { agentId, timeZone, meetingType } = args.query;
  const when = DateTime.fromISO(args.start, { setZone: true }).setZone(timeZone);
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  return pageLayout(
    'Your details',
    (args.error === undefined ? '' : `<p class="note">${escapeHtml(args.error)}</p>`) +
      `<p>${escapeHtml(when.toFormat('cccc d LLLL yyyy, HH:mm'))} (${escapeHtml(timeZone)})` +
      (args.agentName === undefined ? '' : ` with ${escapeHtml(args.agentName)}`) +
      '</p><form method="post" action="/chat/book">' +
      hidden('start', args.start) +
      hidden('timeZone', timeZone) +
      hidden('agentId', agentId) +
      hidden('meetingType', meetingType) +
      hidden('idempotencyKey', args.idempotencyKey) +
      `<p><label>Name<br><input name="name" required maxlength="200" autocomplete="name" value="${escapeHtml(args.values?.name ?? '')}"></label></p>` +
      `<p><label>Email<br><input name="email" type="email" required maxlength="254" autocomplete="email" value="${escapeHtml(args.values?.email ?? '')}"></label></p>` +
      '<button class="primary" type="submit">Book</button></form>' +
      `<p><a class="button" href="/chat/book?${escapeHtml(query({ agent: agentId, timeZone, meetingType }))}">Other times</a></p>`,
  );
}
