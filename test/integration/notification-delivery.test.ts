import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createManageLinks } from '../../src/meetings/manage-links.js';
import { createMailTransport, type MailTransport } from '../../src/notifications/mail-transport.js';
import { createNotificationHandlers } from '../../src/notifications/notification-handler.js';
import { bookedNotice, NOTIFICATION_KIND } from '../../src/notifications/notification-items.js';
import { runOutboxOnce, type OutboxRelayOptions } from '../../src/outbox/run-outbox-once.js';
import type { Meeting } from '../../src/records/meeting-contract.js';
import { createMemoryStore, type Store } from '../../src/store/index.js';
import { crashingAfterSend } from '../helpers/outbox-driver.js';

/**
 * Delivery of the notification emails through the outbox: a real SMTP server in this process
 * (nodemailer's own smtp-server) takes, refuses or defers them; and a capture that crashes
 * before its outcome is recorded keeps the message once.
 */

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const START = Date.UTC(2026, 10, 25, 8, 0, 0);
const PASSWORD = 's3cret pass/with:chars';
const links = createManageLinks({
  secrets: [Buffer.alloc(32, 1)],
  publicBaseUrl: 'https://x.example',
});

function meeting(agentEmail = 'ana@seller.example'): Meeting {
  return {
    id: 'm-1',
    status: 'booked',
    agentId: 'agent-ana',
    agentName: 'Ana Silva',
    agentEmail,
    start: START,
    end: START + 30 * 60_000,
    bufferAfterMs: 0,
    visitor: { email: 'ada@buyer.example', name: 'Ada Lovelace' },
    routing: { rule: 'round-robin', pool: 'default', skipped: [] },
    provider: 'local',
    manageTokenHash: 'hash',
    history: [
      { status: 'pending', at: T0, by: 'visitor' },
      { status: 'booked', at: T0, by: 'system' },
    ],
    createdAt: T0,
    updatedAt: T0,
  };
}

interface Received {
  from: string;
  to: string[];
  user: unknown;
  data: string;
}

/** An SMTP server on a free port: what it received, and how it should answer. */
async function startSmtpServer() {
  const received: Received[] = [];
  const behaviour: { deferData?: boolean } = {};
  const options: SMTPServerOptions = {
    // Plain connections in a test: no certificate to trust, and AUTH allowed without TLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === PASSWORD) {
        callback(null, { user: 'mailer' });
        return;
      }
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('gone@')) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          data: Buffer.concat(chunks).toString('utf8'),
        });
        if (behaviour.deferData === true) {
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        } else callback();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    behaviour,
    url: (password = PASSWORD) => `smtp://mailer:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let store: Store;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const transports: MailTransport[] = [];
const clock = createManualClock(T0);

beforeEach(async () => {
  clock.set(T0);
  store = createMemoryStore();
  smtp = await startSmtpServer();
});

afterEach(async () => {
  for (const transport of transports.splice(0)) transport.close();
  await smtp.close();
  await store.close();
});

function relayWith(transport: MailTransport, relayStore: Store = store) {
  transports.push(transport);
  const handlers = createNotificationHandlers({ store: relayStore, transport, links });
  return (options?: OutboxRelayOptions) =>
    runOutboxOnce(
      { store: relayStore, clock, logger: silentLogger, random: () => 0 },
      handlers,
      options,
    );
}

const smtpTransport = (url = smtp.url()) =>
  createMailTransport({
    from: 'Acme Sales <sales@acme.example>',
    smtpUrl: url,
    capture: false,
    store,
  });

const items = () => store.listOutbox({ kind: NOTIFICATION_KIND });

describe('notification emails through SMTP', () => {
  it('when the server takes the message, then it got one MIME message with the invitation, from MAIL_FROM, authenticated with SMTP_URL’s credentials, and nothing is captured', async () => {
    await store.enqueueOutbox([bookedNotice(meeting(), T0)], T0);
    const pass = relayWith(smtpTransport());

    expect(await pass()).toMatchObject({ claimed: 1, done: 1 });

    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message).toMatchObject({
      from: 'sales@acme.example',
      to: ['ana@seller.example'],
      user: 'mailer',
    });
    const headers = message!.data
      .slice(0, message!.data.indexOf('\r\n\r\n'))
      .replace(/\r\n(?=[ \t])/g, '');
    expect(headers).toContain('\r\nFrom: Acme Sales <sales@acme.example>\r\n');
    expect(headers).toContain('\r\nTo: Ana Silva <ana@seller.example>\r\n');
    expect(headers).toContain('\r\nMessage-ID: <notify.agent-booked.m-1.2@marketo-chat>\r\n');
    expect(headers).toMatch(/\r\nSubject: New meeting: Ada Lovelace, Wed, Nov 25, 8:00\sAM\r\n/);
    expect(message!.data).toContain('Content-Type: text/calendar; charset=utf-8; method=REQUEST');
    expect(message!.data).toContain('UID:m-1@marketo-chat');
    expect((await store.listNotifications({ limit: 10 })).notifications).toEqual([]);
    expect((await items())[0]).toMatchObject({ status: 'done' });
  });

  it('when the server refuses the recipient for good (550), then the item goes to the dead letters at once, its error naming the reply and not the password', async () => {
    await store.enqueueOutbox([bookedNotice(meeting('gone@seller.example'), T0)], T0);
    const pass = relayWith(smtpTransport());

    expect(await pass()).toMatchObject({ claimed: 1, dead: 1 });

    const [item] = await items();
    expect(item).toMatchObject({ status: 'dead', attempts: 1 });
    expect(item!.lastError).toMatch(
      /^SMTP_REFUSED: the mail server refused the message: EENVELOPE 550/,
    );
    expect(item!.lastError).not.toContain(PASSWORD);
  });

  it('when the server defers (451), then the item is retried with the outbox’s backoff and goes out later with the same Message-ID', async () => {
    await store.enqueueOutbox([bookedNotice(meeting(), T0)], T0);
    const pass = relayWith(smtpTransport());
    smtp.behaviour.deferData = true;

    expect(await pass()).toMatchObject({ claimed: 1, retried: 1 });
    const [deferred] = await items();
    expect(deferred).toMatchObject({ status: 'pending', attempts: 1 });
    expect(deferred!.lastError).toMatch(/^SMTP_UNAVAILABLE: .*451/);
    // Not due before its backoff (1 s after a first failure, with the jitter at its low end).
    expect(await pass()).toMatchObject({ claimed: 0 });

    smtp.behaviour.deferData = false;
    clock.set(deferred!.nextAttemptAt);
    expect(await pass()).toMatchObject({ claimed: 1, done: 1 });
    const ids = smtp.received.map(
      (m) => /\r\nMessage-ID: ([^\r]+)/.exec(m.data.replace(/\r\n(?=[ \t])/g, ''))?.[1],
    );
    expect(ids).toEqual([
      '<notify.agent-booked.m-1.2@marketo-chat>',
      '<notify.agent-booked.m-1.2@marketo-chat>',
    ]);
  });

  it('when the credentials are refused or no server answers, then the item is retried (an operator can fix SMTP_URL), and after the attempt cap it is dead', async () => {
    await store.enqueueOutbox([bookedNotice(meeting(), T0)], T0);
    const wrong = relayWith(smtpTransport(smtp.url('wrong password')));

    expect(await wrong({ maxAttempts: 2 })).toMatchObject({ retried: 1 });
    const [refused] = await items();
    expect(refused!.lastError).toMatch(/^SMTP_UNAVAILABLE: the mail server failed: EAUTH 535/);
    expect(refused!.lastError).not.toContain('wrong password');

    await smtp.close();
    clock.set(refused!.nextAttemptAt);
    const gone = relayWith(smtpTransport());
    expect(await gone({ maxAttempts: 2 })).toMatchObject({ dead: 1 });
    const [dead] = await items();
    expect(dead).toMatchObject({ status: 'dead', attempts: 2 });
    expect(dead!.lastError).toMatch(
      /^SMTP_UNAVAILABLE: the mail server failed: (ECONNECTION|ESOCKET)/,
    );
    expect(smtp.received).toEqual([]);
    // The server is back for afterEach's close.
    smtp = await startSmtpServer();
  });
});

describe('notification emails captured', () => {
  it('when the process dies after capturing but before the outbox recorded it, then the next delivery keeps the message once', async () => {
    await store.enqueueOutbox([bookedNotice(meeting(), T0)], T0);
    // The outcome write fails once (a crash between the capture and the outbox's record).
    const { crashing, crashNextCompletion } = crashingAfterSend(store);
    crashNextCompletion();
    const capture = createMailTransport({
      from: 'Acme <sales@acme.example>',
      capture: true,
      store,
    });
    const pass = relayWith(capture, crashing);

    expect(await pass()).toMatchObject({ claimed: 1, unrecorded: 1 });
    // The claim runs out (2 minutes), and another pass delivers the item again.
    clock.advance(120_001);
    expect(await pass()).toMatchObject({ claimed: 1, done: 1 });

    const { notifications } = await store.listNotifications({ limit: 10 });
    expect(notifications.map((n) => n.id)).toEqual(['notify:agent-booked:m-1#2']);
    expect(notifications[0]!.capturedAt).toBe(T0);
    expect(smtp.received).toEqual([]);
  });

  it('when sandbox mode captures, then SMTP_URL is not used even when set', async () => {
    await store.enqueueOutbox([bookedNotice(meeting(), T0)], T0);
    const sandboxed = createMailTransport({
      from: 'Acme <sales@acme.example>',
      smtpUrl: smtp.url(),
      capture: true,
      store,
    });
    expect(sandboxed.mode).toBe('capture');
    expect(await relayWith(sandboxed)()).toMatchObject({ done: 1 });
    expect(smtp.received).toEqual([]);
    expect((await store.listNotifications({ limit: 10 })).notifications).toHaveLength(1);
  });
});
