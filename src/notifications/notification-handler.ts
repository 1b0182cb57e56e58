import type { ManageLinks } from '../meetings/manage-links.js';
import { OutboxHandlerError, type OutboxHandler } from '../outbox/outbox-handler.js';
import { isActiveMeeting } from '../records/meeting-contract.js';
import type { MeetingStores } from '../store/meeting-store-types.js';
import { composeNotification, type ComposeContext } from './compose-notification.js';
import type { MailTransport } from './mail-transport.js';
import {
  NOTIFICATION_KIND,
  notificationPayloadSchema,
  reminderItem,
  type NotificationPayload,
} from './notification-items.js';

export interface NotificationHandlerDeps {
  store: Pick<MeetingStores, 'getAgent' | 'getMeeting'>;
  transport: MailTransport;
  /** The visitor's links to their meeting, for the reminder (derived, never stored). */
  links: Pick<ManageLinks, 'token' | 'urls'>;
}

export type NotificationHandlers = Readonly<Record<typeof NOTIFICATION_KIND, OutboxHandler>>;

/**
 * The outbox handler of the notification emails: composes the message for its recipient (an
 * agent's zone and language from their record; a visitor's from their booking) and hands it to
 * the transport (SMTP, or captured). Failures follow the outbox: retried with its backoff,
 * dead-lettered after its attempt cap or at once when the server refuses the message for good.
 *
 * A reminder is checked against the meeting as it is now: one that was cancelled, moved (its
 * new start has a reminder of its own) or has begun is done without a message.
 */
export function createNotificationHandlers(deps: NotificationHandlerDeps): NotificationHandlers {
  return {
    [NOTIFICATION_KIND]: async (item, ctx) => {
      const stated = readPayload(item.payload);
      const ready = await prepare(deps, stated, ctx.now());
      if (ready === undefined) {
        ctx.logger.info({ meetingId: stated.meetingId }, 'reminder no longer due: not sent');
        return;
      }
      const message = composeNotification(ready.payload, ready.context);
      await deps.transport.deliver(
        {
          ...message,
          id: item.dedupeKey,
          notice: stated.notice,
          meetingId: stated.meetingId,
          date: stated.occurredAt,
        },
        ctx.now(),
      );
      ctx.logger.debug(
        { meetingId: stated.meetingId, notice: stated.notice, mode: deps.transport.mode },
        deps.transport.mode === 'smtp' ? 'notification sent' : 'notification captured',
      );
    },
  };
}

async function prepare(
  deps: NotificationHandlerDeps,
  payload: NotificationPayload,
  now: number,
): Promise<{ payload: NotificationPayload; context: ComposeContext } | undefined> {
  const { recipient } = payload;
  if (payload.notice !== 'visitor-reminder') {
    const agent =
      recipient.agentId === undefined ? undefined : await deps.store.getAgent(recipient.agentId);
    return { payload, context: { timeZone: agent?.timeZone, locale: agent?.locale } };
  }
  const meeting = await deps.store.getMeeting(payload.meetingId);
  if (
    meeting === undefined ||
    !isActiveMeeting(meeting) ||
    meeting.status === 'pending' ||
    meeting.start !== payload.meeting.start ||
    now >= meeting.start
  ) {
    return undefined;
  }
  // The meeting as it is now (a video link added since, a name corrected), at the same start.
  const current = reminderItem(meeting, payload.occurredAt).payload as NotificationPayload;
  const { manageUrl, icsUrl } = deps.links.urls(
    deps.links.token(meeting.id, meeting.manageTokenHash),
  );
  return {
    payload: current,
    context: {
      timeZone: current.recipient.timeZone,
      locale: current.recipient.locale,
      links: { manageUrl, icsUrl },
    },
  };
}

function readPayload(payload: unknown): NotificationPayload {
  const parsed = notificationPayloadSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new OutboxHandlerError(
    'NOTIFICATION_PAYLOAD_INVALID',
    'stored notification is unreadable',
    {
      retryable: false,
    },
  );
}
