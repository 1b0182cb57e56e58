import { useEffect, useState } from 'react';
import { useDragOrder } from '../../drag-order.js';
import { api } from '../../api.js';
import { useUnsaved } from '../../unsaved.js';
import { Notice, Section, useAction } from '../../ui.js';
import {
  draftOf,
  emptyRule,
  RuleForm,
  ruleBody,
  type RuleDraft,
  type RuleRecord,
} from './rule-form.js';

const byPriority = (rules: readonly RuleRecord[]) =>
  [...rules].sort((a, b) => b.priority - a.priority).map((r) => r.id);

/**
 * The routing rules, highest priority first: drag one (or use its move buttons) to a new place
 * and save the order (PUT /api/routing/rules/order); create, edit, switch on or off and delete
 * (POST, PUT, DELETE /api/routing/rules). The API's problems show beside their field.
 */
export function RoutingRules(props: {
  rules: RuleRecord[];
  agents: Array<{ id: string; name: string }>;
  onChanged: () => void;
}) {
  const { rules, agents } = props;
  const [order, setOrder] = useState<string[]>(() => byPriority(rules));
  const { move, itemProps } = useDragOrder(order, setOrder);
  const [editing, setEditing] = useState<{ id: string | null; draft: RuleDraft } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const action = useAction();
  const form = useAction();

  useEffect(() => setOrder(byPriority(rules)), [rules]);
  const saved = byPriority(rules);
  const dirty = order.join() !== saved.join();
  useUnsaved('Rule order', dirty);
  useUnsaved('Routing rule', editing !== null);

  const byId = new Map(rules.map((r) => [r.id, r]));
  const names = new Map(agents.map((a) => [a.id, a.name]));
  const done = (ok: boolean) => {
    if (ok) props.onChanged();
    return ok;
  };
  const toggle = (rule: RuleRecord) =>
    void action
      .run(
        `Switching ${rule.name} ${rule.enabled ? 'off' : 'on'}`,
        () =>
          api.put(`/api/routing/rules/${rule.id}`, {
            ...ruleBody(draftOf(rule)),
            enabled: !rule.enabled,
          }),
        `${rule.name} is ${rule.enabled ? 'off' : 'on'}.`,
      )
      .then(done);
  const remove = (rule: RuleRecord) =>
    void action
      .run(
        `Deleting ${rule.name}`,
        () => api.del(`/api/routing/rules/${rule.id}`),
        `${rule.name} deleted.`,
      )
      .then((ok) => {
        setConfirming(null);
        done(ok);
      });
  const submit = () => {
    if (!editing) return;
    const { id, draft } = editing;
    void form
      .run(
        id === null ? 'Creating the rule' : 'Saving the rule',
        () =>
          id === null
            ? api.post('/api/routing/rules', ruleBody(draft))
            : api.put(`/api/routing/rules/${id}`, ruleBody(draft)),
        id === null ? 'Rule created.' : 'Rule saved.',
      )
      .then((ok) => {
        if (ok) setEditing(null);
        done(ok);
      });
  };

  return (
    <Section
      title="Rules, highest priority first"
      actions={
        <button
          type="button"
          disabled={editing !== null}
          onClick={() => {
            form.clear();
            setEditing({ id: null, draft: emptyRule() });
          }}
        >
          New rule
        </button>
      }
    >
      {order.length === 0 ? (
        <p>No rules: every visitor goes to the rotation.</p>
      ) : (
        <>
          <p className="hint">
            Drag a rule to a new place, or use its move buttons; then save the order.
          </p>
          <ol className="rule-list" aria-label="Rules in priority order">
            {order.map((id, i) => {
              const rule = byId.get(id);
              if (!rule) return null;
              return (
                <li key={id} data-rule-id={id} {...itemProps(id)}>
                  <span className="grip" aria-hidden="true">
                    ⠿
                  </span>
                  <span className="rule-summary">
                    <strong className="rule-name">{rule.name}</strong> (priority {rule.priority})
                    {!rule.enabled && <span className="badge muted">off</span>}{' '}
                    <span className="hint">
                      {rule.conditions
                        .map(
                          (c) =>
                            `${c.field} ${c.operator} ${c.value === undefined ? '' : JSON.stringify(c.value)}`,
                        )
                        .join(' and ')}{' '}
                      →{' '}
                      {'group' in rule.target
                        ? `group ${rule.target.group}`
                        : rule.target.agentIds.map((a) => names.get(a) ?? a).join(', ')}
                    </span>
                  </span>
                  <span className="spacer" />
                  <button type="button" disabled={i === 0} onClick={() => move(id, i - 1)}>
                    Move up <span className="sr-only">{rule.name}</span>
                  </button>
                  <button
                    type="button"
                    disabled={i === order.length - 1}
                    onClick={() => move(id, i + 1)}
                  >
                    Move down <span className="sr-only">{rule.name}</span>
                  </button>
                  <button type="button" disabled={action.busy} onClick={() => toggle(rule)}>
                    {rule.enabled ? 'Switch off' : 'Switch on'}{' '}
                    <span className="sr-only">{rule.name}</span>
                  </button>
                  <button
                    type="button"
                    disabled={editing !== null}
                    onClick={() => {
                      form.clear();
                      setEditing({ id, draft: draftOf(rule) });
                    }}
                  >
                    Edit <span className="sr-only">{rule.name}</span>
                  </button>
                  {confirming === id ? (
                    <>
                      <button
                        type="button"
                        className="danger"
                        disabled={action.busy}
                        onClick={() => remove(rule)}
                      >
                        Confirm delete <span className="sr-only">{rule.name}</span>
                      </button>
                      <button type="button" onClick={() => setConfirming(null)}>
                        Keep <span className="sr-only">{rule.name}</span>
                      </button>
                    </>
                  ) : (
                    <button type="button" onClick={() => setConfirming(id)}>
                      Delete <span className="sr-only">{rule.name}</span>
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={!dirty || action.busy}
              onClick={() =>
                void action
                  .run(
                    'Saving the rule order',
                    () => api.put('/api/routing/rules/order', { order }),
                    'Rule order saved.',
                  )
                  .then(done)
              }
            >
              Save rule order
            </button>
            <button type="button" disabled={!dirty} onClick={() => setOrder(saved)}>
              Discard rule order
            </button>
          </div>
        </>
      )}
      <Notice notice={action.notice} />
      {editing && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <RuleForm
            draft={editing.draft}
            agents={agents}
            failure={form.failure}
            onChange={(draft) => setEditing({ ...editing, draft })}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={form.busy}>
              {editing.id === null ? 'Create rule' : 'Save rule'}
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <Notice notice={form.notice} />
    </Section>
  );
}
