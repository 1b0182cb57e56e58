import { api } from '../../api.js';
import { Section, TableScroll, formatDateTime, useLoad } from '../../ui.js';

export interface RoutingRecord {
  rule: string;
  ruleName?: string;
  pool: string;
  skipped: Array<{ agentId: string; reason: string }>;
  account?: { match: string; by: 'domain' | 'company' };
  weight?: number;
  identity?: 'cookie' | 'typed';
  reassignedFrom?: { agentId: string; reason: string };
}

interface RoutedMeeting {
  id: string;
  agentId: string;
  agentName: string;
  createdAt: number;
  visitor: { email: string; name?: string };
  routing: RoutingRecord;
}

const SHOWN = 15;

const STEPS: Record<string, string> = {
  owner: 'the lead’s owner',
  'round-robin': 'the rotation',
  'fallback-round-robin': 'the rotation (the rule’s agents were not free)',
  repeat: 'the same agent as before',
  agent: 'asked for by name',
};

/** What chose the agent, said for a person: the step, the account entry, the weight. */
export function routingReason(routing: RoutingRecord): string {
  const step =
    routing.rule === 'account'
      ? `account ${routing.account ? `${routing.account.match} (by ${routing.account.by})` : ''}`
      : routing.rule.startsWith('rule:')
        ? `rule ${routing.ruleName ?? routing.rule.slice(5)}`
        : (STEPS[routing.rule] ?? routing.rule);
  const parts = [step.trim()];
  if (routing.rule !== 'account' && routing.account) {
    parts.push(`account ${routing.account.match} tried first`);
  }
  if (routing.weight !== undefined) parts.push(`weight ${routing.weight}`);
  if (routing.identity) parts.push(`visitor ${routing.identity === 'cookie' ? 'proven' : 'typed'}`);
  return parts.join(', ');
}

export function skippedText(
  routing: RoutingRecord,
  names: ReadonlyMap<string, string>,
): string {
  const skipped = routing.skipped.map((s) => `${names.get(s.agentId) ?? s.agentId}: ${s.reason}`);
  if (routing.reassignedFrom) {
    const from = routing.reassignedFrom;
    skipped.unshift(`reassigned from ${names.get(from.agentId) ?? from.agentId} (${from.reason})`);
  }
  return skipped.length === 0 ? '—' : skipped.join('; ');
}

/**
 * The latest bookings and why each went to its agent: the meetings' routing records (rule,
 * account entry, weight, the agents passed over and why), newest booking first.
 */
export function RecentAssignments(props: { names: ReadonlyMap<string, string> }) {
  const meetings = useLoad(() =>
    api.get<{ meetings: RoutedMeeting[] }>('/api/meetings?limit=200'),
  );
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
