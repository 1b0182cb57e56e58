/**
 * A meeting's routing record (why its agent was chosen), said for a person: shared by the
 * Routing tab's recent assignments and the Meetings tab's detail.
 */
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

export function skippedText(routing: RoutingRecord, names: ReadonlyMap<string, string>): string {
  const skipped = routing.skipped.map((s) => `${names.get(s.agentId) ?? s.agentId}: ${s.reason}`);
  if (routing.reassignedFrom) {
    const from = routing.reassignedFrom;
    skipped.unshift(`reassigned from ${names.get(from.agentId) ?? from.agentId} (${from.reason})`);
  }
  return skipped.length === 0 ? '—' : skipped.join('; ');
}
