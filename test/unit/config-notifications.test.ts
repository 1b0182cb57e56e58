import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_MAIL_FROM, loadConfig } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig: notification emails', () => {
  it('when nothing is set, then messages are captured, reminders go an hour before, and captured ones are kept 30 days', () => {
    expect(loadConfig({}).notifications).toEqual({
      smtpUrl: undefined,
      from: DEFAULT_MAIL_FROM,
      reminderLeadMs: 3_600_000,
      retentionMs: 30 * 24 * 3_600_000,
    });
  });

  it('when SMTP_URL and MAIL_FROM are set, then they are used as given', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://mailer:p%40ss@smtp.example.com:465',
      MAIL_FROM: 'Acme Sales <sales@acme.example>',
      REMINDER_MINUTES_BEFORE: '0',
    });
    expect(config.notifications).toMatchObject({
      smtpUrl: 'smtps://mailer:p%40ss@smtp.example.com:465',
      from: 'Acme Sales <sales@acme.example>',
      reminderLeadMs: 0,
    });
  });

  it('when SMTP_URL is set without MAIL_FROM, then MAIL_FROM is named', () => {
    expect(problemsOf({ SMTP_URL: 'smtp://smtp.example.com:587' })).toEqual([
      'MAIL_FROM: is required when SMTP_URL is set',
    ]);
  });

  it('when SMTP_URL is not an SMTP URL, then the problem is named without echoing its credentials', () => {
    const problems = problemsOf({
      SMTP_URL: 'https://mailer:hunter2secret@smtp.example.com',
      MAIL_FROM: 'sales@acme.example',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SMTP_URL: must be a URL such as smtp:/);
    expect(problems[0]).not.toContain('hunter2secret');
  });

  it.each([
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM'],
    [{ REMINDER_MINUTES_BEFORE: '-5' }, 'REMINDER_MINUTES_BEFORE'],
    [
      { REMINDER_MINUTES_BEFORE: '20000', OUTBOX_RETENTION_MS: '31536000000' },
      'REMINDER_MINUTES_BEFORE',
    ],
    [{ NOTIFICATION_RETENTION_DAYS: '0' }, 'NOTIFICATION_RETENTION_DAYS'],
    // A delivered reminder's key must outlive the reminder's window.
    [{ OUTBOX_RETENTION_MS: '3600000', REMINDER_MINUTES_BEFORE: '60' }, 'OUTBOX_RETENTION_MS'],
  ])('when %j, then %s is named', (env, key) => {
    expect(problemsOf(env).map((p) => p.split(':')[0])).toEqual([key]);
  });
});
