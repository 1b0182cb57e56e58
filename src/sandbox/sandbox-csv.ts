import type { LeadValue, SandboxLead } from './sandbox-types.js';

/**
 * Export files as Marketo writes them (DEV:help/rest-api/bulk-lead-extract.md): a header row of
 * the requested REST names (or `columnHeaderNames`), one row per lead, and the literal `null`
 * for an empty field. Values are quoted per RFC 4180 when they hold the delimiter, a quote or
 * a line break. Formats: CSV (comma), TSV (tab), SSV (semicolon, per bulk-extract.md).
 */

export const DELIMITERS = { CSV: ',', TSV: '\t', SSV: ';' } as const;
export type ExportFormat = keyof typeof DELIMITERS;

function cell(value: LeadValue | undefined, delimiter: string): string {
  if (value === null || value === undefined || value === '') return 'null';
  const text = String(value);
  if (text.includes(delimiter) || /["\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function renderLeadFile(
  leads: Iterable<SandboxLead>,
  fields: readonly string[],
  headers: readonly string[],
  format: ExportFormat,
): { text: string; rows: number } {
  const delimiter = DELIMITERS[format];
  const lines = [headers.map((header) => cell(header, delimiter)).join(delimiter)];
  for (const lead of leads) {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) line += delimiter;
      line += cell(lead[fields[i] as string], delimiter);
    }
    lines.push(line);
  }
  return { text: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}
