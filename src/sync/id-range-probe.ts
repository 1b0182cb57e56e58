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
  /** True when no lead can sit below scanFrom: the scan need not look further down. */
  floorKnown: boolean;
  /** Probe points found, and probed, inside [minFound, maxFound]: the id density. */
  density: number;
  /** Estimated leads in [scanFrom, maxFound]. */
  expectedLeads: number;
  /** createdAt of the lowest-id lead found (the oldest, usually), for bulk windows. */
  oldestCreatedAt: string | undefined;
  /** Ids worth scanning past maxFound: the spacing of the refining grid, or undefined. */
  tailIds: number | undefined;
  /** Marketo's clock at the last probe answer (HTTP Date), epoch ms. */
  serverTime: number | undefined;
}

const PROBE_TOP = 2 ** 31 - 1;

/**
 * 300 distinct increasing ids from 1 to 2^31 - 1, denser at the bottom. `phase` in [0, 1)
 * shifts every point by that fraction of a step: phases 1/8 .. 7/8 fill the gaps of phase 0.
 */
export function probePoints(count = MARKETO_BATCH, phase = 0): number[] {
  const ratio = Math.log(PROBE_TOP) / (count - 1);
  const points: number[] = [];
  let last = 0;
  for (let i = 0; i < count; i += 1) {
    const next = Math.max(last + 1, Math.round(Math.exp(ratio * (i + phase))));
    points.push(Math.min(next, PROBE_TOP - (count - 1 - i)));
    last = points[points.length - 1]!;
  }
  return points;
}

/** Ids between the first hit and the point below it that make a refining call worth it. */
const REFINE_THRESHOLD = 3 * MARKETO_BATCH;

/** Extra probe calls (one per phase) made only when the first finds no lead at all. */
export const FINE_PROBE_PHASES = 7;

export async function probeIdRange(marketo: MarketoApi): Promise<IdRangeProbe> {
  let points = probePoints();
  let serverTime: number | undefined;
  const ask = async (ids: number[]) => {
    const result = await marketo.getLeadsByIds(ids, ['createdAt']);
    if (result.serverTime !== undefined) serverTime = Math.max(serverTime ?? 0, result.serverTime);
    return result;
  };
  let { leads } = await ask(points);
  // Nothing at any point: either no leads, or a narrow block of ids between two points. Seven
  // phase-shifted probes cut the step to ~1% before concluding the id space is empty.
  for (let phase = 1; leads.length === 0 && phase <= FINE_PROBE_PHASES; phase += 1) {
    const shifted = probePoints(MARKETO_BATCH, phase / (FINE_PROBE_PHASES + 1));
    ({ leads } = await ask(shifted));
    points = [...points, ...shifted].sort((a, b) => a - b);
  }
  const found = new Set(leads.map((l) => l.id));
  const present = points.filter((p) => found.has(p));
  if (present.length === 0) {
    return {
      minFound: undefined,
      maxFound: undefined,
      scanFrom: 1,
      floorKnown: false,
      density: 1,
      expectedLeads: 0,
      oldestCreatedAt: undefined,
      tailIds: undefined,
      serverTime,
    };
  }
  let minFound = present[0]!;
  let maxFound = present[present.length - 1]!;
  const below = points.filter((p) => p < minFound);
  let scanFrom = below.length > 0 ? below[below.length - 1]! + 1 : 1;
  let floorKnown = scanFrom === 1;
  // Ids that start well above 1 leave up to 7% of empty ids below the first hit: one more call
  // with 300 evenly spaced ids pins the first id to within a few dozen.
  if (minFound - scanFrom > REFINE_THRESHOLD) {
    const step = (minFound - scanFrom) / MARKETO_BATCH;
    const grid = Array.from({ length: MARKETO_BATCH }, (_, i) => Math.floor(scanFrom + i * step));
    const refined = await ask([...new Set(grid)]);
    const hits = refined.leads.map((l) => l.id).filter((id) => id < minFound);
    if (hits.length > 0) {
      const first = Math.min(...hits);
      const oldest = refined.leads.find((l) => l.id === first);
      if (oldest) leads = [...leads, oldest];
      const lower = grid.filter((p) => p < first);
      minFound = first;
      scanFrom = lower.length > 0 ? lower[lower.length - 1]! + 1 : scanFrom;
    }
    floorKnown = true;
  }
  // The same above the last hit: 300 evenly spaced ids up to the next (absent) probe point find
  // the top of the id range, so a gap left by deleted leads near the top cannot end the scan
  // early, and the scan needs to look only one grid step past the highest id.
  // Up to the third probe point above: one absent point may just be a deleted lead.
  const above = points.filter((p) => p > maxFound);
  const ceiling = above.length > 2 ? above[2]! : PROBE_TOP;
  const upStep = Math.max(1, (ceiling - maxFound) / MARKETO_BATCH);
  const upGrid = [
    ...new Set(
      Array.from({ length: MARKETO_BATCH }, (_, i) => Math.ceil(maxFound + (i + 1) * upStep)),
    ),
  ].filter((p) => p < ceiling);
  const topHits = upGrid.length > 0 ? (await ask(upGrid)).leads.map((l) => l.id) : [];
  const probedUp = [...upGrid];
  if (topHits.length > 0) maxFound = Math.max(maxFound, ...topHits);
  // At least two batches past the highest id, or one grid step when the grid is coarser.
  const tailIds = Math.max(2 * MARKETO_BATCH, Math.ceil(upStep));
  const inRange = points.filter((p) => p >= minFound && p <= maxFound).length;
  const density = present.length / Math.max(inRange, 1);
  const oldest = leads.find((l) => l.id === minFound);
  return {
    minFound,
    maxFound,
    scanFrom,
    floorKnown,
    density,
    expectedLeads: Math.round((maxFound - scanFrom + 1) * density),
    oldestCreatedAt: typeof oldest?.createdAt === 'string' ? oldest.createdAt : undefined,
    tailIds: probedUp.length > 0 ? tailIds : undefined,
    serverTime,
  };
}
