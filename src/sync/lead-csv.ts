import { parse } from 'csv-parse/sync';
import type { MarketoLead } from '../clients/marketo/types.js';

/**
 * Parses a bulk lead export file into leads typed like the REST API returns them, so a lead
 * copied by bulk extract equals the same lead copied by Get Leads.
 *
 * Known export-file hazards (tap-marketo 2.4.2/2.4.3, Airbyte 1.2.3/1.6.1): NUL bytes and
 * stray carriage returns. NULs are stripped; quoted CR/LF stay inside their field.
 */
export function parseLeadCsv(csv: string, fieldTypes: ReadonlyMap<string, string>): MarketoLead[] {
  const rows = parse(csv.replace(/\0/g, ''), {
    columns: true,
    bom: true,
    skip_empty_lines: true,
  }) as Array<Record<string, string>>;
  const leads: MarketoLead[] = [];
  for (const row of rows) {
    const id = Number.parseInt(row.id ?? '', 10);
    if (!Number.isSafeInteger(id) || id <= 0) continue;
    const lead: MarketoLead = { id };
    for (const [name, raw] of Object.entries(row)) {
      if (name !== 'id') lead[name] = coerce(raw, fieldTypes.get(name));
    }
    leads.push(lead);
  }
  return leads;
}

function coerce(raw: string, dataType: string | undefined): unknown {
  if (raw === '' || raw === 'null') return null;
  switch (dataType) {
    case 'integer':
    case 'score':
    case 'reference': {
      const n = Number.parseInt(raw, 10);
      return Number.isNaN(n) ? raw : n;
    }
    case 'float':
    case 'currency': {
      const n = Number.parseFloat(raw);
      return Number.isNaN(n) ? raw : n;
    }
    case 'boolean':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    default:
      return raw;
  }
}
