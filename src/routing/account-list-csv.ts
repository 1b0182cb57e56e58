import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from '../errors.js';
import type { InputIssue } from '../http/parse-input.js';
import {
  accountMatchProblem,
  MAX_ACCOUNT_ROUTES,
  normalizeAccountMatch,
  type AccountRoute,
} from '../records/account-routing.js';
import type { Agent } from '../records/meeting-contract.js';

/**
 * The account list as CSV (PUT /api/routing/accounts): a header `match,agentId`, then one entry
 * a row, e.g. `acme.com,agt_1f…` or `"Globex, Inc.",ana@example.com` (an agent by id or by
 * email). Parsed by csv-parse (RFC 4180: quoted fields may hold commas, quotes and line breaks;
 * a UTF-8 BOM is dropped; empty lines are skipped). Every row is checked before anything is
 * used, and any bad row refuses the whole file: the 400 names each bad row (its number among
 * the data rows, 1 the first after the header, and its line in the file) and field.
 */

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

export interface AccountRowIssue extends InputIssue {
  /** 1-based among the data rows; 0 for the header. */
  row: number;
  /** The file's line the row ends on. */
  line: number;
}

const HEADER = ['match', 'agentid'] as const;

/** The entries of `text`, or a ValidationError naming every bad row and field. */
export function parseAccountCsv(text: string, agents: readonly Agent[]): AccountRoute[] {
  let records: CsvRecord[];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as CsvRecord[];
  } catch (error) {
    // A quote left open and the like: csv-parse says where (line), the whole file is refused.
    throw new ValidationError(`Invalid CSV: ${(error as Error).message}`, 'body');
  }
  const [header, ...rows] = records;
  const names = header?.record.map((name) => name.trim().toLowerCase());
  if (names === undefined || names.length !== 2 || names.some((n, i) => n !== HEADER[i])) {
    throw new ValidationError(
      'Invalid account list: the first line must be the header "match,agentId"',
      'header',
    );
  }
  if (rows.length > MAX_ACCOUNT_ROUTES) {
    throw new ValidationError(
      `Invalid account list: at most ${MAX_ACCOUNT_ROUTES} rows, found ${rows.length}`,
      'body',
    );
  }
  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  const byEmail = new Map(agents.map((agent) => [agent.email, agent]));
  const firstRow = new Map<string, number>();
  const issues: AccountRowIssue[] = [];
  const routes: AccountRoute[] = [];
  rows.forEach(({ record, info }, index) => {
    const row = index + 1;
    const bad = (field: string, message: string) =>
      issues.push({
        row,
        line: info.lines,
        field: `rows.${row}${field === '' ? '' : `.${field}`}`,
        message: `row ${row} (line ${info.lines}): ${field === '' ? '' : `${field} `}${message}`,
      });
    if (record.length !== 2) {
      bad('', `must have 2 fields (match,agentId), found ${record.length}`);
      return;
    }
    const match = normalizeAccountMatch(record[0]!);
    const problem = accountMatchProblem(match);
    if (problem !== undefined) bad('match', problem);
    else if (firstRow.has(match)) bad('match', `${match} is already on row ${firstRow.get(match)}`);
    else firstRow.set(match, row);
    const wanted = record[1]!.trim();
    const agent = wanted.includes('@') ? byEmail.get(wanted.toLowerCase()) : byId.get(wanted);
    if (wanted === '') bad('agentId', 'must not be empty');
    else if (agent === undefined) bad('agentId', `names no agent (${wanted})`);
    if (problem === undefined && agent !== undefined) routes.push({ match, agentId: agent.id });
  });
  if (issues.length > 0) throw rowsRefused(issues);
  return routes;
}

function rowsRefused(issues: AccountRowIssue[]): ValidationError {
  const shown = issues.slice(0, 10).map((issue) => issue.message);
  const more = issues.length > shown.length ? ` (+${issues.length - shown.length} more)` : '';
  return new ValidationError(
    `Account list refused, nothing imported: ${shown.join('; ')}${more}`,
    issues[0]!.field,
    { issues: issues.map(({ field, message }) => ({ field, message })), rows: issues },
  );
}

/**
 * The list as CSV, the header and one row per entry, written as the reports are (CRLF, line
 * breaks quoted, formula-like values escaped): a file PUT takes back as it is.
 */
export function accountListCsv(routes: readonly AccountRoute[]): string {
  return stringify([['match', 'agentId'], ...routes.map((r) => [r.match, r.agentId])], {
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    escape_formulas: true,
  });
}
