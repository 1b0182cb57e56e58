import { api } from '../../api.js';
import { routingReason, skippedText, type RoutingRecord } from '../../routing-reason.js';
import { Section, TableScroll, formatDateTime, useLoad } from '../../ui.js';

interface RoutedMeeting {
  id: string;
  agentId: string;
  agentName: string;
  createdAt: number;
  visitor: { email: string; name?: string };
  routing: RoutingRecord;
}

const SHOWN = 15;

/**
 * The latest bookings and why each went to its agent: the meetings' routing records (rule,
 * account entry, weight, the agents passed over and why), newest booking first.
 */
export function RecentAssignments(props: { names: ReadonlyMap<string, string> }) {
  const meetings = useLoad(() => api.get<{ meetings: RoutedMeeting[] }>('/api/meetings?limit=200'));
  const recent = [...(meetings.data?.meetings ?? [])]
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, SHOWN);
  return (
    <Section title="Recent assignments">
      {meetings.error && <p role="alert">{meetings.error}</p>}
      {meetings.data &&
        (recent.length === 0 ? (
          <p>No meeting booked yet.</p>
        ) : (
          <TableScroll label="Recent assignments, scrollable">
            <table aria-label="Recent assignments">
              <thead>
                <tr>
                  <th scope="col">Booked</th>
                  <th scope="col">Visitor</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Why this agent</th>
                  <th scope="col">Passed over</th>
                </tr>
              </thead>
              <tbody>
                {recent.map((m) => (
                  <tr key={m.id}>
                    <td>{formatDateTime(m.createdAt)}</td>
                    <td>{m.visitor.email}</td>
                    <td>{m.agentName}</td>
                    <td>{routingReason(m.routing)}</td>
                    <td>{skippedText(m.routing, props.names)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ))}
    </Section>
  );
}
