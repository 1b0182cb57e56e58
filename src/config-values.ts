import { z } from 'zod';

/**
 * The value rules of the configuration (src/config.ts): how a key's text becomes a number, a
 * flag, a URL or a list, and the rules that span several keys.
 */

export const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

export const optionalUrl = optionalString.pipe(
  z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
);

/** `Ana Silva <ana@example.com>; Ben Ode <ben@example.com>` -> agents; bad entries are issues. */
export function parseAgents(
  value: string,
  ctx: z.RefinementCtx,
): Array<{ name: string; email: string }> {
  const agents: Array<{ name: string; email: string }> = [];
  for (const entry of value
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const match = /^(.*?)\s*<([^<>\s]+@[^<>\s]+\.[^<>\s]+)>$/.exec(entry);
    if (!match || !match[1]) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not "Name <email>"` });
      continue;
    }
    agents.push({ name: match[1], email: match[2]!.toLowerCase() });
  }
  return agents;
}

/**
 * Rules across keys. They read the raw environment, apart from the per-key schema: zod skips an
 * object's refinements as soon as one key fails, so a bad PORT used to hide the keys a real
 * instance needs. Every problem is found in one pass.
 */
export function crossKeyProblems(env: Record<string, string | undefined>): Problem[] {
  const set = (key: string) => (env[key] ?? '').trim() !== '';
  const problems: Problem[] = [];
  if (set('MARKETO_BASE_URL')) {
    for (const key of [
      'MARKETO_CLIENT_ID',
      'MARKETO_CLIENT_SECRET',
      'ADMIN_TOKEN',
      'WEBHOOK_SECRET',
      'SSFS_API_KEY',
    ]) {
      if (!set(key)) problems.push({ key, message: 'is required when MARKETO_BASE_URL is set' });
    }
  }
  // Refresh tokens exist only with a Google or Microsoft client: then their key must be
  // configured, not generated beside the data it protects.
  if ((set('GOOGLE_CLIENT_ID') || set('MICROSOFT_CLIENT_ID')) && !set('TOKEN_ENCRYPTION_KEY')) {
    problems.push({
      key: 'TOKEN_ENCRYPTION_KEY',
      message:
        'is required when GOOGLE_CLIENT_ID or MICROSOFT_CLIENT_ID is set (if the service ran ' +
        'without it, use the key in data/token-encryption-key, so meeting links keep working)',
    });
  }
  for (const [id, secret] of [
    ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
    ['MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET'],
  ] as const) {
    if (set(id) !== set(secret)) {
      problems.push({
        key: set(id) ? secret : id,
        message: `${id} and ${secret} are set together`,
      });
    }
  }
  // A lease must outlive a failed check, or one slow Redis answer moves the scheduled jobs.
  const ttl = Number(env.LEADER_TTL_MS ?? 10_000);
  const check = Number(env.LEADER_CHECK_MS ?? 2_000);
  if (ttl < 2 * check) {
    problems.push({ key: 'LEADER_TTL_MS', message: 'must be at least twice LEADER_CHECK_MS' });
  }
  if (set('SMTP_URL') && !set('MAIL_FROM')) {
    problems.push({ key: 'MAIL_FROM', message: 'is required when SMTP_URL is set' });
  }
  // A delivered reminder's key must outlive its window, or the prune frees it and the reminder
  // job, still seeing the meeting ahead, sends it again (notifications/meeting-reminders.ts).
  const numberOf = (key: string, fallback: number) => (set(key) ? Number(env[key]) : fallback);
  const retentionMs = numberOf('OUTBOX_RETENTION_MS', 7 * 24 * 3_600_000);
  const reminderMs = numberOf('REMINDER_MINUTES_BEFORE', 60) * 60_000;
  if (retentionMs <= reminderMs) {
    problems.push({
      key: 'OUTBOX_RETENTION_MS',
      message: 'must be longer than REMINDER_MINUTES_BEFORE',
    });
  }
  return problems;
}

export interface Problem {
  key: string;
  message: string;
}
