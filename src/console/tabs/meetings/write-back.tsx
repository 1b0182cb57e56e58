import { api } from '../../api.js';
import { TableScroll, formatDateTime, useLoad } from '../../ui.js';

interface MeetingWrite {
  key: string;
  kind: string;
  event?: number;
  status?: string;
  state: 'pending' | 'dead' | 'delivered';
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

const STATE_TEXT = {
  pending: 'waiting to be sent',
  dead: 'gave up (see Integrations → Outbox to re-send)',
  delivered: 'written to Marketo',
} as const;

function writeName(write: MeetingWrite): string {
  if (write.event !== undefined) return `Activity #${write.event} (${write.status ?? 'event'})`;
  if (write.key.startsWith('lead-agent')) return 'Lead fields: the assigned agent';
  if (write.key.startsWith('lead-name')) return 'Lead fields: the visitor’s name';
  return write.key;
}

/**
 * The meeting's writes to Marketo (GET /api/meetings/:id/write-back): each event's activity
 * and the lead-field writes, with their state. Read again when the meeting changes (`version`).
 */
export function WriteBack(props: { meetingId: string; version: number }) {
  const writes = useLoad(
    () =>
      api.get<{ writes: MeetingWrite[] }>(
        `/api/meetings/${encodeURIComponent(props.meetingId)}/write-back`,
      ),
    [props.meetingId, props.version],
  );
  return (
    <>
      <h3>Write-back to Marketo</h3>
      {writes.error && <p role="alert">{writes.error}</p>}
      {writes.data &&
        (writes.data.writes.length === 0 ? (
          <p>Nothing in the outbox for this meeting (written and since pruned, or none).</p>
        ) : (
          <TableScroll label="Write-back to Marketo, scrollable">
            <table aria-label="Write-back to Marketo">
              <thead>
                <tr>
                  <th scope="col">Write</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {writes.data.writes.map((w) => (
                  <tr key={w.key} data-write-state={w.state}>
                    <td>{writeName(w)}</td>
                    <td>{STATE_TEXT[w.state]}</td>
                    <td>{w.attempts}</td>
                    <td className="wrap">{w.lastError ?? '—'}</td>
                    <td>{formatDateTime(w.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ))}
    </>
  );
}
