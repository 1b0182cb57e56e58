import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { CapturedNotification, Notice } from '../records/notification.js';
import type { NotificationStore } from '../store/notification-store-types.js';
import type { ComposedNotification } from './compose-notification.js';
import { smtpFailure } from './smtp-failure.js';

/** One message to go out: what was composed, and what makes it this notification. */
export interface OutgoingMail extends ComposedNotification {
  /** The notification's stable id (its outbox dedupe key). */
  id: string;
  notice: Notice;
  meetingId: string;
  /** When the change it reports happened: the Date header, the same on every retry. */
  date: number;
}

export interface MailTransport {
  /** `smtp`: sent through SMTP_URL. `capture`: built as it would be sent, kept, never sent. */
  readonly mode: 'smtp' | 'capture';
  /** Sends or captures; throws an OutboxHandlerError that says whether a retry can help. */
  deliver(mail: OutgoingMail, now: number): Promise<void>;
  close(): void;
}

export interface MailTransportOptions {
  /** MAIL_FROM, e.g. `Acme Sales <sales@acme.example>`. */
  from: string;
  /** SMTP_URL; without it (or in sandbox mode) messages are captured. */
  smtpUrl?: string | undefined;
  /** Sandbox mode: capture even with SMTP_URL set. */
  capture: boolean;
  store: Pick<NotificationStore, 'saveNotification'>;
  /** How long a connection, the greeting and each reply may take (default 15 s each). */
  timeoutMs?: number;
}

/**
 * nodemailer behind one small interface. Both modes build the message with nodemailer, so a
 * captured message is the MIME an SMTP server would have got (text/plain, and for invitations a
 * text/calendar alternative with its METHOD plus invite.ics). The Message-ID derives from the
 * notification id: a message sent again after a crash (the outbox delivers at least once) has
 * the same Message-ID, which receiving systems use to recognise a duplicate, and a captured
 * message is kept once by id. nodemailer's own logger stays off: nothing of SMTP_URL is logged.
 */
export function createMailTransport(options: MailTransportOptions): MailTransport {
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (!options.capture && options.smtpUrl !== undefined) {
    // Pooled: a few connections reused across messages. A new connection per message costs its
    // handshake every time (measured 100 ms a message against a local server, 2 ms pooled).
    const transporter = nodemailer.createTransport({
      pool: true,
      maxConnections: 4,
      url: options.smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      logger: false,
      debug: false,
    });
    return {
      mode: 'smtp',
      async deliver(mail) {
        try {
          await transporter.sendMail(mailOptions(options.from, mail));
        } catch (error) {
          throw smtpFailure(error);
        }
      },
      close: () => transporter.close(),
    };
  }
  const builder = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  });
  return {
    mode: 'capture',
    async deliver(mail, now) {
      const built = await builder.sendMail(mailOptions(options.from, mail));
      const captured: CapturedNotification = {
        id: mail.id,
        notice: mail.notice,
        meetingId: mail.meetingId,
        to: mail.to.address.toLowerCase(),
        from: options.from,
        subject: mail.subject,
        text: mail.text,
        ...(mail.invitation === undefined
          ? {}
          : { invitation: { method: mail.invitation.method, sequence: mail.invitation.sequence } }),
        messageId: built.messageId,
        // `buffer: true`: the whole message, not a stream.
        raw: (built.message as Buffer).toString('utf8'),
        capturedAt: now,
      };
      await options.store.saveNotification(captured);
    },
    close: () => builder.close(),
  };
}

/** `<notify.agent-booked.m-1.2@marketo-chat>`: one id per notification, valid as a msg-id. */
export function notificationMessageId(id: string): string {
  return `<${id.replace(/[^A-Za-z0-9._-]/g, '.')}@marketo-chat>`;
}

function mailOptions(from: string, mail: OutgoingMail): SendMailOptions {
  return {
    from,
    to:
      mail.to.name === undefined
        ? mail.to.address
        : { name: mail.to.name, address: mail.to.address },
    subject: mail.subject,
    text: mail.text,
    messageId: notificationMessageId(mail.id),
    date: new Date(mail.date),
    headers: { 'X-Marketo-Chat-Notification': mail.notice },
    ...(mail.invitation === undefined
      ? {}
      : {
          icalEvent: {
            method: mail.invitation.method,
            filename: 'invite.ics',
            content: mail.invitation.content,
          },
        }),
  };
}
