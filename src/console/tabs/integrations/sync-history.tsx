import { Section, TableScroll, formatDateTime } from '../../ui.js';

export interface SyncRun {
  runId: string;
  mode: 'full' | 'incremental';
  strategy?: string;
  outcome: string;
  startedAt: string;
  finishedAt?: string;
  leadsUpserted: number;
  leadsDeleted: number;
  calls: number;
  error?: { code: string; message: string };
}

function duration(run: SyncRun): string {
  if (!run.finishedAt) return '—';
  const seconds = Math.max(0, (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000);
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
}

/** The last runs of the lead sync, newest first (GET /api/sync/status `recentRuns`). */
export function SyncHistory(props: { runs: SyncRun[] }) {
  return (
    <Section title="Sync history">
      {props.runs.length === 0 ? (
        <p>No run yet.</p>
      ) : (
        <TableScroll label="Sync runs, scrollable">
          <table aria-label="Sync runs">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Kind</th>
                <th scope="col">Outcome</th>
                <th scope="col">Took</th>
                <th scope="col">Leads copied</th>
                <th scope="col">Removed</th>
                <th scope="col">Calls</th>
              </tr>
            </thead>
            <tbody>
              {props.runs.map((run) => (
                <tr key={run.runId}>
                  <td>{formatDateTime(run.startedAt)}</td>
                  <td>
                    {run.mode}
                    {run.strategy && run.strategy !== 'changes' ? ` (${run.strategy})` : ''}
                  </td>
                  <td>
                    {run.outcome}
                    {run.error ? `: ${run.error.code} ${run.error.message}` : ''}
                  </td>
                  <td>{duration(run)}</td>
                  <td>{run.leadsUpserted}</td>
                  <td>{run.leadsDeleted}</td>
                  <td>{run.calls}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Section>
  );
}
