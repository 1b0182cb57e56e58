import type { Card } from '../../records/chat-cards.js';
import { api } from '../api.js';
import { Checkbox, Field, SelectField, useLoad } from '../ui.js';
import { AnswerEditor } from './answer-editor.js';
import { FormFields } from './form-fields.js';
import { LeadField, withField } from './lead-field.js';

export type Of<T extends Card['type']> = Extract<Card, { type: T }>;
export type ProblemAt = (field: string) => string | undefined;

/**
 * The main fields of the cards beyond text and ways on: a question's lead field, an input's
 * answer, a form's fields, a document, a Marketo action, a booking's routing and meeting types.
 * Each field shows the API's problem for it (`problemAt` matches the field and below it).
 */
export function CardFields(props: {
  card: Card;
  problemAt: ProblemAt;
  onChange: (card: Card) => void;
}) {
  const { card, problemAt, onChange } = props;
  switch (card.type) {
    case 'question':
      return (
        <LeadField
          label="Lead field for the chosen button"
          value={card.field}
          error={problemAt('field')}
          onChange={(field) => onChange(withField(card, field))}
        />
      );
    case 'input':
      return (
        <fieldset>
          <legend>Answer</legend>
          <AnswerEditor
            name="Answer"
            answer={card.answer}
            problemAt={(f) => problemAt(`answer.${f}`)}
            onChange={(answer) => onChange({ ...card, answer })}
          />
          <LeadField
            label="Lead field for the answer"
            value={card.field}
            error={problemAt('field')}
            onChange={(field) => onChange(withField(card, field))}
          />
        </fieldset>
      );
    case 'form':
      return <FormFields card={card} problemAt={problemAt} onChange={onChange} />;
    case 'document':
      return (
        <fieldset>
          <legend>Document</legend>
          <Field
            label="Document title"
            value={card.document.title}
            error={problemAt('document.title')}
            onChange={(title) => onChange({ ...card, document: { ...card.document, title } })}
          />
          <Field
            label="Document URL (https)"
            type="url"
            value={card.document.url}
            error={problemAt('document.url')}
            onChange={(url) => onChange({ ...card, document: { ...card.document, url } })}
          />
        </fieldset>
      );
    case 'action':
      return <ActionFields card={card} problemAt={problemAt} onChange={onChange} />;
    case 'booking':
      return <BookingFields card={card} problemAt={problemAt} onChange={onChange} />;
    default:
      return null;
  }
}

function ActionFields(props: {
  card: Of<'action'>;
  problemAt: ProblemAt;
  onChange: (card: Card) => void;
}) {
  const { card, problemAt, onChange } = props;
  const { action } = card;
  const id = action.kind === 'add-to-list' ? action.listId : action.campaignId;
  const numberOf = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));
  return (
    <fieldset>
      <legend>Marketo action</legend>
      <SelectField
        label="Action"
        value={action.kind}
        options={[
          { value: 'add-to-list', label: 'Add the lead to a static list' },
          { value: 'request-campaign', label: 'Request a smart campaign for the lead' },
        ]}
        onChange={(kind) =>
          onChange({
            ...card,
            action:
              kind === 'add-to-list'
                ? { kind: 'add-to-list', listId: id }
                : { kind: 'request-campaign', campaignId: id },
          })
        }
      />
      <Field
        label={action.kind === 'add-to-list' ? 'Static list id' : 'Smart campaign id'}
        type="number"
        value={Number.isNaN(id) ? '' : String(id)}
        error={problemAt(action.kind === 'add-to-list' ? 'action.listId' : 'action.campaignId')}
        onChange={(v) =>
          onChange({
            ...card,
            action:
              action.kind === 'add-to-list'
                ? { kind: 'add-to-list', listId: numberOf(v) }
                : { kind: 'request-campaign', campaignId: numberOf(v) },
          })
        }
      />
    </fieldset>
  );
}

interface AgentTypes {
  agents: Array<{ name: string; meetingTypes?: Array<{ id: string; name: string }> }>;
}

function BookingFields(props: {
  card: Of<'booking'>;
  problemAt: ProblemAt;
  onChange: (card: Card) => void;
}) {
  const { card, problemAt, onChange } = props;
  const agents = useLoad(() => api.get<AgentTypes>('/api/agents'));
  // Every meeting type some agent offers, by id (agents share ids such as `intro`).
  const offered = new Map<string, string>();
  for (const agent of agents.data?.agents ?? []) {
    for (const type of agent.meetingTypes ?? []) offered.set(type.id, type.name);
  }
  const chosen = card.meetingTypes ?? [];
  const setTypes = (ids: string[]) => {
    const { meetingTypes: _old, ...rest } = card;
    onChange(ids.length === 0 ? rest : { ...rest, meetingTypes: ids });
  };
  return (
    <fieldset>
      <legend>Booking</legend>
      <SelectField
        label="Who takes the meeting"
        value={card.routing}
        error={problemAt('routing')}
        options={[
          { value: 'round-robin', label: 'Routing (account, owner, rules, rotation)' },
          { value: 'agent', label: 'One agent, by email' },
        ]}
        onChange={(routing) => onChange({ ...card, routing: routing as 'agent' })}
      />
      {card.routing === 'agent' && (
        <Field
          label="Agent email"
          type="email"
          value={card.agentEmail ?? ''}
          error={problemAt('agentEmail')}
          onChange={(v) => {
            const { agentEmail: _old, ...rest } = card;
            onChange(v.trim() === '' ? rest : { ...rest, agentEmail: v.trim() });
          }}
        />
      )}
      <fieldset>
        <legend>Meeting types offered (none: the agent’s default)</legend>
        {offered.size === 0 && <p className="hint">No agent offers meeting types.</p>}
        {[...offered].map(([id, name]) => (
          <Checkbox
            key={id}
            label={`${name} (${id})`}
            checked={chosen.includes(id)}
            onChange={(on) => setTypes(on ? [...chosen, id] : chosen.filter((t) => t !== id))}
          />
        ))}
        {chosen
          .filter((id) => !offered.has(id))
          .map((id) => (
            <Checkbox
              key={id}
              label={`${id} (no agent offers it)`}
              checked
              onChange={() => setTypes(chosen.filter((t) => t !== id))}
            />
          ))}
        {problemAt('meetingTypes') && (
          <small className="error" role="alert">
            {problemAt('meetingTypes')}
          </small>
        )}
      </fieldset>
    </fieldset>
  );
}
