import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { BarChart } from '../bar-chart.js';
import { useDragOrder } from '../drag-order.js';
import type { TabProps } from '../tabs.js';
import { useUnsaved } from '../unsaved.js';
import { Notice, Section, useAction, useLoad } from '../ui.js';
import { AccountRouting } from './routing/account-routing.js';
import { RecentAssignments } from './routing/recent-assignments.js';
import type { RuleRecord } from './routing/rule-form.js';
import { RoutingRules } from './routing/routing-rules.js';

interface RoutingView {
  order: Array<{
    id: string;
    name: string;
    email: string;
    routable: boolean;
    reason?: string;
    meetings: { booked: number; held: number; upcoming: number; cancelled: number; noShow: number };
    assignments: number;
    routed: number;
  }>;
  next: { id: string; name: string } | null;
  rules: RuleRecord[];
}

/**
 * The rotation in order with the next agent marked (drag, or the move buttons, to reorder; PUT
 * /api/agents/order), totals per agent as a bar chart, the rules in priority order, the account
 * list with its CSV upload, and the recent assignments with their reasons.
 */
export function RoutingTab(_props: TabProps) {
  const view = useLoad(() => api.get<RoutingView>('/api/routing'));
  const [order, setOrder] = useState<string[]>([]);
  const save = useAction();
  const { move, itemProps } = useDragOrder(order, setOrder);

  useEffect(() => {
    if (view.data) setOrder(view.data.order.map((a) => a.id));
  }, [view.data]);
  const saved = view.data?.order.map((a) => a.id) ?? [];
  const dirty = order.join() !== saved.join();
  useUnsaved('Routing order', dirty);

  if (view.error) return <p role="alert">{view.error}</p>;
  if (!view.data) return <p>Loading…</p>;
  const byId = new Map(view.data.order.map((a) => [a.id, a]));

  return (
    <div className="grid">
      <Section title="Rotation order">
        <p className="hint">Drag an agent to a new place, or use its move buttons; then save.</p>
        <ol className="rotation" aria-label="Rotation order">
          {order.map((id, i) => {
            const agent = byId.get(id);
            if (!agent) return null;
            return (
              <li key={id} data-agent-id={id} {...itemProps(id)}>
                <span className="grip" aria-hidden="true">
                  ⠿
                </span>
                <span className="agent-name">{agent.name}</span>
                {view.data?.next?.id === id && <span className="badge">next</span>}
                {!agent.routable && (
                  <span className="badge muted">{agent.reason ?? 'not routable'}</span>
                )}
                <span className="spacer" />
                <button type="button" disabled={i === 0} onClick={() => move(id, i - 1)}>
                  Move up <span className="sr-only">{agent.name}</span>
                </button>
                <button
                  type="button"
                  disabled={i === order.length - 1}
                  onClick={() => move(id, i + 1)}
                >
                  Move down <span className="sr-only">{agent.name}</span>
                </button>
              </li>
            );
          })}
        </ol>
        <div className="actions">
          <button
            type="button"
            className="primary"
            disabled={!dirty || save.busy}
            onClick={() =>
              void save
                .run(
                  'Saving the order',
                  () => api.put('/api/agents/order', { order }),
                  'Order saved.',
                )
                .then((ok) => ok && view.reload())
            }
          >
            Save order
          </button>
          <button type="button" disabled={!dirty} onClick={() => setOrder(saved)}>
            Discard
          </button>
        </div>
        <Notice notice={save.notice} />
      </Section>
      <Section title="Totals per agent">
        <BarChart
          title="Meetings and assignments per agent"
          horizontal
          labels={view.data.order.map((a) => a.name)}
          series={[
            {
              label: 'Meetings booked',
              values: view.data.order.map((a) => a.meetings.booked),
              colour: '#1f5fbf',
            },
            {
              label: 'Assignments',
              values: view.data.order.map((a) => a.assignments),
              colour: '#b3541e',
            },
          ]}
        />
      </Section>
      <RoutingRules
        rules={view.data.rules}
        agents={view.data.order.map((a) => ({ id: a.id, name: a.name }))}
        onChanged={view.reload}
      />
      <AccountRouting />
      <RecentAssignments names={new Map(view.data.order.map((a) => [a.id, a.name]))} />
    </div>
  );
}
