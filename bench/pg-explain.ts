/**
 * What a unit of work asks PostgreSQL, and how the server answers it: captures every statement
 * the pg clients of this process send while `work` runs (pg.Client.prototype.query, so the
 * pool's and the transactions' alike), then runs each one again under
 * `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` inside a transaction that is rolled back, and sums
 * its plan: the scans it used (a Seq Scan on a table that grows is the finding), the rows its
 * nodes produced or filtered away, the buffers it touched and its execution time. A statement
 * that cannot run again (a unique or exclusion violation: the work already wrote its row) is
 * explained without ANALYZE. Run it at two sizes of the data: a statement whose rows or buffers
 * grow with the table is the O(n) one.
 */
import pg from 'pg';

export interface CapturedStatement {
  text: string;
  values: unknown[];
}

const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW|SELECT pg_advisory)/i;

/** The statements sent while `work` runs, in order, transaction control left out. */
export async function captureStatements<T>(
  work: () => Promise<T>,
): Promise<{ result: T; statements: CapturedStatement[] }> {
  const statements: CapturedStatement[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    const config =
      typeof first === 'string'
        ? { text: first, values: Array.isArray(second) ? second : [] }
        : (first as { text?: string; values?: unknown[] } | undefined);
    if (config?.text !== undefined && !CONTROL.test(config.text)) {
      const values =
        config.values ?? (Array.isArray(second) ? (second as unknown[]) : ([] as unknown[]));
      statements.push({ text: config.text, values });
    }
    return original.apply(this, args);
  };
  try {
    return { result: await work(), statements };
  } finally {
    proto.query = original;
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

export interface ExplainedStatement {
  sql: string;
  analyzed: boolean;
  /** Scan nodes: `Index Scan meetings_agent_start`, `Seq Scan meetings`, ... */
  scans: string[];
  /** Rows the plan's scans produced plus those their filters threw away (loops included). */
  rowsTouched: number;
  /** Shared buffers hit or read by the whole statement. */
  buffers: number;
  /** Of those, the ones not in shared buffers (read from the OS: the data outgrew them). */
  read: number;
  ms: number;
  error?: string;
}

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

function summarise(sql: string, plan: Record<string, unknown>, analyzed: boolean) {
  const root = plan['Plan'] as PlanNode;
  const scans: string[] = [];
  let rowsTouched = 0;
  walk(root, (node) => {
    if (!/Scan/.test(node['Node Type'])) return;
    const on = node['Index Name'] ?? node['Relation Name'] ?? '';
    scans.push(`${node['Node Type']}${on === '' ? '' : ` ${on}`}`);
    const loops = node['Actual Loops'] ?? 1;
    rowsTouched +=
      ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * loops +
      (node['Rows Removed by Index Recheck'] ?? 0);
  });
  return {
    sql,
    analyzed,
    scans,
    rowsTouched,
    buffers: (root['Shared Hit Blocks'] ?? 0) + (root['Shared Read Blocks'] ?? 0),
    read: root['Shared Read Blocks'] ?? 0,
    ms: Number(plan['Execution Time'] ?? 0),
  };
}

/** Each statement explained on its own connection, its effects rolled back. */
export async function explainStatements(
  connectionString: string,
  statements: readonly CapturedStatement[],
): Promise<ExplainedStatement[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const explained: ExplainedStatement[] = [];
  try {
    for (const { text, values } of statements) {
      const sql = text.replace(/\s+/g, ' ').trim();
      const run = async (analyze: boolean) => {
        await client.query('BEGIN');
        try {
          const options = analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON';
          const { rows } = await client.query<{ 'QUERY PLAN': Array<Record<string, unknown>> }>(
            `EXPLAIN (${options}) ${text}`,
            values,
          );
          return summarise(sql, rows[0]!['QUERY PLAN'][0]!, analyze);
        } finally {
          await client.query('ROLLBACK');
        }
      };
      try {
        explained.push(await run(true));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        try {
          explained.push({ ...(await run(false)), error: reason });
        } catch {
          explained.push({
            sql,
            analyzed: false,
            scans: [],
            rowsTouched: 0,
            buffers: 0,
            read: 0,
            ms: 0,
            error: reason,
          });
        }
      }
    }
  } finally {
    await client.end();
  }
  return explained;
}

/** One line a statement: its scans, rows, buffers and time, and the SQL's start. */
export function formatExplained(explained: readonly ExplainedStatement[]): string {
  return explained
    .map((e, i) => {
      const seq = e.scans.some((s) => s.startsWith('Seq Scan')) ? '  <-- SEQ SCAN' : '';
      const figures = e.analyzed
        ? `rows ${String(e.rowsTouched).padStart(5)}  buffers ${String(e.buffers).padStart(4)} ` +
          `(${e.read} read)  ${e.ms.toFixed(3)} ms`
        : `not analyzed (${e.error ?? ''})`;
      return (
        `${String(i + 1).padStart(2)}. ${figures}  [${e.scans.join(', ') || 'no scan'}]${seq}\n` +
        `    ${e.sql.slice(0, 160)}`
      );
    })
    .join('\n');
}
