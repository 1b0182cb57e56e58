import type { AudienceCondition } from '../../../records/chat-targeting.js';
import type { ApiError } from '../../api.js';
import { LeadConditionRow } from '../../lead-condition.js';
import { Checkbox, Field, SelectField } from '../../ui.js';

export interface RuleDraft {
  name: string;
  /** As typed: sent as a number when it is one, else as typed (the API names the field). */
  priority: string;
  enabled: boolean;
  conditions: AudienceCondition[];
  targetKind: 'agents' | 'group';
  agentIds: string[];
  group: string;
}

export interface RuleRecord {
  id: string;
  name: string;
  priority: number;
  enabled: boolean;
  conditions: AudienceCondition[];
  target: { agentIds: string[] } | { group: string };
}

export const emptyRule = (): RuleDraft => ({
  name: '',
  priority: '100',
  enabled: true,
  conditions: [{ field: 'country', operator: 'equals', value: '' }],
  targetKind: 'agents',
  agentIds: [],
  group: '',
});

export const draftOf = (rule: RuleRecord): RuleDraft => ({
  name: rule.name,
  priority: String(rule.priority),
  enabled: rule.enabled,
  conditions: rule.conditions,
  targetKind: 'group' in rule.target ? 'group' : 'agents',
  agentIds: 'agentIds' in rule.target ? rule.target.agentIds : [],
  group: 'group' in rule.target ? rule.target.group : '',
});

/** The body of POST /api/routing/rules and PUT /api/routing/rules/:id. */
export function ruleBody(draft: RuleDraft) {
  const priority = draft.priority.trim() === '' ? NaN : Number(draft.priority);
  return {
    name: draft.name,
    priority: Number.isNaN(priority) ? draft.priority : priority,
    enabled: draft.enabled,
    conditions: draft.conditions,
    target: draft.targetKind === 'group' ? { group: draft.group } : { agentIds: draft.agentIds },
  };
}

/**
 * A routing rule's form: name, priority, on/off, its conditions on synced lead fields (all must
 * hold), and who gets the visitor (agents, or a group). The API's problems show beside their
 * field; what was typed stays when a save is refused.
 */
export function RuleForm(props: {
  draft: RuleDraft;
  onChange: (draft: RuleDraft) => void;
  agents: Array<{ id: string; name: string }>;
  failure: ApiError | null;
}) {
  const { draft, onChange, failure } = props;
  const at = (field: string) => failure?.forField(field);
  const set = (patch: Partial<RuleDraft>) => onChange({ ...draft, ...patch });
  const targetError =
    at('target') ?? failure?.issues.find((i) => i.field.startsWith('target.agentIds'))?.message;
  return (
    <fieldset className="rule-form">
      <legend>Rule</legend>
      <Field
        label="Rule name"
        value={draft.name}
        error={at('name')}
        onChange={(name) => set({ name })}
      />
      <Field
        label="Rule priority"
        value={draft.priority}
        type="number"
        hint="0-1000, higher first"
        error={at('priority')}
        onChange={(priority) => set({ priority })}
      />
      <Checkbox label="Rule on" checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
      <p className="hint">Every condition must hold on the visitor's synced lead fields.</p>
      {at('conditions') && (
        <p className="error" role="alert">
          {at('conditions')}
        </p>
      )}
      {draft.conditions.map((condition, i) => (
        <LeadConditionRow
          key={`${i}-${draft.conditions.length}`}
          name={`Condition ${i + 1}`}
          condition={condition}
          problemAt={(f) =>
            at(`conditions.${i}.${f}`) ?? (f === 'field' ? at(`conditions.${i}`) : undefined)
          }
          onChange={(c) => set({ conditions: draft.conditions.map((x, j) => (j === i ? c : x)) })}
          onRemove={
            draft.conditions.length > 1
              ? () => set({ conditions: draft.conditions.filter((_, j) => j !== i) })
              : undefined
          }
        />
      ))}
      <button
        type="button"
        onClick={() =>
          set({
            conditions: [...draft.conditions, { field: 'country', operator: 'equals', value: '' }],
          })
        }
      >
        Add condition
      </button>
      <SelectField
        label="Goes to"
        value={draft.targetKind}
        options={[
          { value: 'agents', label: 'These agents (in rotation)' },
          { value: 'group', label: 'The agents of a group' },
        ]}
        onChange={(v) => set({ targetKind: v as RuleDraft['targetKind'] })}
      />
      {draft.targetKind === 'group' ? (
        <Field
          label="Group"
          value={draft.group}
          error={at('target.group') ?? targetError}
          onChange={(group) => set({ group })}
        />
      ) : (
        <div className={`field${targetError ? ' has-error' : ''}`} role="group" aria-label="Agents">
          <span className="label">Agents</span>
          {props.agents.map((agent) => (
            <Checkbox
              key={agent.id}
              label={agent.name}
              checked={draft.agentIds.includes(agent.id)}
              onChange={(on) =>
                set({
                  agentIds: on
                    ? [...draft.agentIds, agent.id]
                    : draft.agentIds.filter((id) => id !== agent.id),
                })
              }
            />
          ))}
          {targetError && (
            <small className="error" role="alert">
              {targetError}
            </small>
          )}
        </div>
      )}
    </fieldset>
  );
}
