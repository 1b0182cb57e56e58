/**
 * npx tsx bench/conversation-reports.ts — the dated reports and transcript reads on PostgreSQL
 * with a large conversation log: BENCH_CONVERSATIONS conversations of eight events each (over
 * 20 dialogues, one started every five minutes) written by the server (generate_series), then
 * VACUUM ANALYZE (autovacuum's state in production), then the dialogue report over 1, 30 and 366
 * days in Europe/Berlin, two list pages, one transcript read and a prune, each timed.
 * Database: made for the run and dropped (pg-kit.ts), or BENCH_DATABASE_URL.
 *
 * Env: BENCH_CONVERSATIONS (100000). Measured figures: README.md, "Transcripts and reports".
 */
import pg from 'pg';
import { env } from './bench-kit.js';
import { openBenchPostgres } from './pg-kit.js';

const CONVERSATIONS = env('BENCH_CONVERSATIONS', 100_000);
const TYPES = ['triggered', 'engaged', 'answered', 'answered', 'email-given', 'document-opened'];
const ALL_TYPES = [...TYPES, 'meeting-booked', 'completed'];
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

const { store, database, close } = await openBenchPostgres();
const client = new pg.Client({ connectionString: database.url });
client.on('error', () => undefined);
const timed = async <T>(what: string, work: () => Promise<T>, show: (r: T) => unknown) => {
  const started = performance.now();
  const result = await work();
  console.log(
    `${what.padEnd(28)} ${(performance.now() - started).toFixed(0).padStart(6)} ms`,
    show(result),
  );
  return result;
};
try {
  await client.connect();
  console.log(`database ${database.label}`);
  await timed(
    `load ${CONVERSATIONS * ALL_TYPES.length} events`,
    async () => {
      await client.query(
        `INSERT INTO conversations SELECT 'conv-' || lpad(g::text, 10, '0'), 'd' || (g % 20), 1,
           'anon-' || g, NULL, $1::bigint + g::bigint * 300000, $1::bigint + g::bigint * 300000 + 7000,
           $2::text[], $3::int, $3::int FROM generate_series(1, $4::int) g`,
        [T0, ALL_TYPES, ALL_TYPES.length, CONVERSATIONS],
      );
      await client.query(
        `INSERT INTO conversation_events (conversation_id, dialogue_id, type, at, entry)
         SELECT 'conv-' || lpad(g::text, 10, '0'), 'd' || (g % 20), ($2::text[])[i],
           $1::bigint + g::bigint * 300000 + i::bigint * 1000,
           jsonb_build_object('eventId', 'e' || g || '-' || i, 'type', ($2::text[])[i], 'at', 0,
             'dialogueId', 'd' || (g % 20), 'dialogueVersion', 1, 'cardsSeen', jsonb_build_array('a', 'b'))
         FROM generate_series(1, $3::int) g, generate_series(1, array_length($2::text[], 1)) i`,
        [T0, ALL_TYPES, CONVERSATIONS],
      );
      await client.query('VACUUM ANALYZE conversations, conversation_events');
    },
    () => '',
  );
  const size = await client.query<{ events: string; conversations: string }>(
    `SELECT pg_size_pretty(pg_total_relation_size('conversation_events')) AS events,
       pg_size_pretty(pg_total_relation_size('conversations')) AS conversations`,
  );
  console.log('sizes', size.rows[0]);
  for (const days of [1, 30, 366]) {
    const from = T0 + 30 * DAY;
    await timed(
      `dialogue report, ${days} days`,
      () => store.dialogueReport({ from, to: from + days * DAY, timeZone: 'Europe/Berlin' }),
      (r) => `${r.days.length} rows`,
    );
  }
  const first = await timed(
    'list, first page',
    () => store.listConversations({ limit: 50, dialogueId: 'd3' }),
    (p) => `${p.conversations.length} conversations`,
  );
  await timed(
    'list, second page',
    () => store.listConversations({ limit: 50, dialogueId: 'd3', cursor: first.next! }),
    (p) => `${p.conversations.length} conversations`,
  );
  await timed(
    'one conversation',
    () => store.getConversation(`conv-${String(Math.ceil(CONVERSATIONS / 2)).padStart(10, '0')}`),
    (c) => `${c?.entries.length ?? 0} entries`,
  );
  await timed(
    'prune the first 10 days',
    () => store.pruneConversations(T0 + 10 * DAY),
    (n) => `${n} conversations`,
  );
} finally {
  await client.end().catch(() => undefined);
  await close();
}
