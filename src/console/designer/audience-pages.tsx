import type { AudienceCondition } from '../../records/chat-targeting.js';
import type { DialogueContent } from '../../records/chat-dialogue.js';
import { LeadConditionRow } from '../lead-condition.js';
import { Field, SelectField } from '../ui.js';

type Pages = DialogueContent['pages'];
type Audience = DialogueContent['audience'];
type Problem = (field: string) => string | undefined;

const MATCH_OPTIONS = [
  { value: 'all', label: 'all of them' },
  { value: 'any', label: 'any of them' },
];
const newCondition = (): AudienceCondition => ({
  field: 'country',
  operator: 'equals',
  value: '',
});

/**
 * The pages a dialogue shows on: one field per URL pattern, include and exclude, each with the
 * API's problem (`pages.include.0`) beside it; what was typed stays when a save is refused.
 */
export function PagesEditor(props: {
  pages: Pages;
  problemAt: Problem;
  onChange: (pages: Pages) => void;
}) {
  const { pages, problemAt } = props;
  const list = (kind: 'include' | 'exclude', title: string, hint: string) => {
    const patterns = pages[kind];
    const set = (next: string[]) => props.onChange({ ...pages, [kind]: next });
    const label = kind === 'include' ? 'Shown on' : 'Left out';
    return (
      <fieldset className="pattern-list">
        <legend>{title}</legend>
        <p className="hint">{hint}</p>
        {problemAt(`pages.${kind}`) && (
          <p className="error" role="alert">
            {problemAt(`pages.${kind}`)}
          </p>
        )}
        {patterns.map((pattern, i) => (
          <div className="row" key={i}>
            <Field
              label={`${label}: pattern ${i + 1}`}
              value={pattern}
              error={problemAt(`pages.${kind}.${i}`)}
              onChange={(v) => set(patterns.map((p, j) => (j === i ? v : p)))}
            />
            <button type="button" onClick={() => set(patterns.filter((_, j) => j !== i))}>
              Remove <span className="sr-only">{`${label.toLowerCase()} pattern ${i + 1}`}</span>
            </button>
          </div>
        ))}
        <button type="button" onClick={() => set([...patterns, ''])}>
          Add a page {kind === 'include' ? 'to show on' : 'to leave out'}
        </button>
      </fieldset>
    );
  };
  return (
    <div className="pages-editor">
      {list(
        'include',
        'Pages it shows on',
        'URL patterns such as https://www.example.com/pricing* (a * stands for anything), or * for every page; no query strings.',
      )}
      {list('exclude', 'Pages it never shows on', 'Taken out of the pages above.')}
    </div>
  );
}

/**
 * Who sees the dialogue: all, known or anonymous visitors, narrowed by groups of conditions on
 * synced lead fields (each group's conditions joined by its own all/any; the groups by the
 * audience's). Each field's problem (`audience.groups.0.conditions.1.value`) shows beside it.
 */
export function AudienceEditor(props: {
  audience: Audience;
  problemAt: Problem;
  onChange: (audience: Audience) => void;
}) {
  const { audience, problemAt } = props;
  const set = (patch: Partial<Audience>) => props.onChange({ ...audience, ...patch });
  const setGroup = (g: number, group: Audience['groups'][number]) =>
    set({ groups: audience.groups.map((x, i) => (i === g ? group : x)) });
  return (
    <fieldset className="audience-editor">
      <legend>Audience</legend>
      <SelectField
        label="Visitors"
        value={audience.visitors}
        error={problemAt('audience.visitors')}
        options={[
          { value: 'all', label: 'All visitors' },
          { value: 'known', label: 'Known leads only' },
          { value: 'anonymous', label: 'Anonymous visitors only' },
        ]}
        onChange={(v) => set({ visitors: v as Audience['visitors'] })}
      />
      {audience.groups.length > 1 && (
        <SelectField
          label="The visitor must match"
          value={audience.match}
          error={problemAt('audience.match')}
          options={MATCH_OPTIONS.map((o) => ({ ...o, label: `${o.label} (groups)` }))}
          onChange={(v) => set({ match: v as Audience['match'] })}
        />
      )}
      {problemAt('audience.groups') && (
        <p className="error" role="alert">
          {problemAt('audience.groups')}
        </p>
      )}
      {audience.groups.map((group, g) => {
        const name = `Group ${g + 1}`;
        const at = `audience.groups.${g}`;
        return (
          <fieldset key={`${g}-${audience.groups.length}`} className="audience-group">
            <legend>{name}</legend>
            <SelectField
              label={`${name}: the lead matches`}
              value={group.match}
              error={problemAt(`${at}.match`)}
              options={MATCH_OPTIONS}
              onChange={(v) => setGroup(g, { ...group, match: v as 'all' | 'any' })}
            />
            {problemAt(`${at}.conditions`) && (
              <p className="error" role="alert">
                {problemAt(`${at}.conditions`)}
              </p>
            )}
            {group.conditions.map((condition, k) => (
              <LeadConditionRow
                key={`${k}-${group.conditions.length}`}
                name={`${name} condition ${k + 1}`}
                condition={condition}
                problemAt={(f) => problemAt(`${at}.conditions.${k}.${f}`)}
                onChange={(c) =>
                  setGroup(g, {
                    ...group,
                    conditions: group.conditions.map((x, j) => (j === k ? c : x)),
                  })
                }
                onRemove={
                  group.conditions.length > 1
                    ? () =>
                        setGroup(g, {
                          ...group,
                          conditions: group.conditions.filter((_, j) => j !== k),
                        })
                    : undefined
                }
              />
            ))}
            <div className="actions">
              <button
                type="button"
                onClick={() =>
                  setGroup(g, { ...group, conditions: [...group.conditions, newCondition()] })
                }
              >
                Add a condition to {name.toLowerCase()}
              </button>
              <button
                type="button"
                onClick={() => set({ groups: audience.groups.filter((_, i) => i !== g) })}
              >
                Remove {name.toLowerCase()}
              </button>
            </div>
          </fieldset>
        );
      })}
      <button
        type="button"
        onClick={() =>
          set({ groups: [...audience.groups, { match: 'all', conditions: [newCondition()] }] })
        }
      >
        Add a group of conditions
      </button>
    </fieldset>
  );
}
