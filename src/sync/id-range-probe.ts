import type { MarketoApi } from '../clients/marketo/types.js';
import { MARKETO_BATCH } from './sync-context.js';

/**
 * Finds where a Marketo instance's lead ids live, in one Get Leads call.
 *
 * Lead ids are sequential integers (Adobe blog, "Get All Leads from the Marketo REST API"),
 * but deleted and merged leads leave gaps and the first id is not always 1. One call asks for
 * 300 ids spread geometrically from 1 to about 2^31 (each point ~7.4% above the last); the
 * ids that exist bound the range to scan. Gaps are harmless: the scan reads every batch in the
 * range, then keeps going past the highest id seen until a run of empty batches.
 */
export interface IdRangeProbe {
  /** Smallest and largest probe ids that exist; undefined when none did. */
  minFound: number | undefined;
  maxFound: number | undefined;
  /** First id worth scanning: just above the last probe point below minFound. */
  scanFrom: number;
  /** Probe points found, and probed, inside [minFound, maxFound]: the id density. */
  density: number;
  /** Estimated leads in [scanFrom, maxFound]. */
  expectedLeads: number;
  /** createdAt of the lowest-id lead found (the oldest, usually), for bulk windows. */
  oldestCreatedAt: string | undefined;
}

const PROBE_TOP = 2 ** 31 - 1;

/** 300 distinct increasing ids from 1 to 2^31 - 1, denser at the bottom. */
export function probePoints(count = MARKETO_BATCH): number[] {
  const ratio = Math.log(PROBE_TOP) / (count - 1);
  const points: number[] = [];
  let last = 0;
  for (let i = 0; i < count; i += 1) {
    const next = Math.max(last + 1, Math.round(Math.exp(ratio * i)));
    points.push(Math.min(next, PROBE_TOP - (count - 1 - i)));
    last = points[points.length - 1]!;
  }
  return points;
}

export async function probeIdRange(marketo: MarketoApi): Promise<IdRangeProbe> {
  const points = probePoints();
  const { leads } = await marketo.getLeadsByIds(points, ['createdAt']);
  const found = new Set(leads.map((l) => l.id));
  const present = points.filter((p) => found.has(p));
  if (present.length === 0) {
    return {
      minFound: undefined,
      maxFound: undefined,
      scanFrom: 1,
      density: 1,
      expectedLeads: 0,
      oldestCreatedAt: undefined,
    };
  }
  const minFound = present[0]!;
  const maxFound = present[present.length - 1]!;
  const below = points.filter((p) => p < minFound);
  const scanFrom = below.length > 0 ? below[below.length - 1]! + 1 : 1;
  const inRange = points.filter((p) => p >= minFound && p <= maxFound).length;
  const density = present.length / Math.max(inRange, 1);
  const oldest = leads.find((l) => l.id === minFound);
  return {
    minFound,
    maxFound,
    scanFrom,
    density,
    expectedLeads: Math.round((maxFound - scanFrom + 1) * density),
    oldestCreatedAt: typeof oldest?.createdAt === 'string' ? oldest.createdAt : undefined,
  };
}
