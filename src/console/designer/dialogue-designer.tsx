import {
  Background,
  Controls,
  ReactFlow,
  applyNodeChanges,
  type Connection,
  type Edge,
  type NodeChange,
} from '@xyflow/react';
import { useEffect, useMemo, useState } from 'react';
import type { Card } from '../../records/chat-cards.js';
import type { DialogueContent } from '../../records/chat-dialogue.js';
import { ApiError, api } from '../api.js';
import { useUnsaved } from '../unsaved.js';
import { Field, Notice, Section, SelectField, useAction, useLoad } from '../ui.js';
import { AudienceEditor, PagesEditor } from './audience-pages.js';
import { CardEditor } from './card-editor.js';
import { CardNodeView, type CardNode } from './card-node.js';
import {
  CARD_TYPES_ADDED,
  connectOutlet,
  edgesOf,
  layoutCards,
  newCard,
  problemsByCard,
  type AddedCardType,
} from './graph-model.js';

interface DialogueDetail {
  id: string;
  enabled: boolean;
  draft: DialogueContent;
  published: { version: number } | null;
  hasUnpublishedChanges: boolean;
}

const nodeTypes = { card: CardNodeView };

/**
 * The visual designer: the draft's cards as an @xyflow/react graph (drag a handle to connect,
 * select a card to edit it beside the graph), the dialogue's name, priority, pages and audience,
 * "Save draft" and "Publish". Publish problems are shown on their card and beside their field.
 */
export function DialogueDesigner(props: { id: string }) {
  const loaded = useLoad(
    () => api.get<DialogueDetail>(`/api/dialogues/${encodeURIComponent(props.id)}`),
    [props.id],
  );
  const [draft, setDraft] = useState<DialogueContent | null>(null);
  const [positions, setPositions] = useState<Map<string, { x: number; y: number }>>(new Map());
  const [selected, setSelected] = useState<string | null>(null);
  const [addType, setAddType] = useState<AddedCardType>('message');
  const action = useAction();
  const [issues, setIssues] = useState<Array<{ field: string; message: string }>>([]);
  const [warnings, setWarnings] = useState<string[]>([]);

  useEffect(() => {
    if (loaded.data && draft === null) {
      setDraft(loaded.data.draft);
      setPositions(layoutCards(loaded.data.draft));
    }
  }, [loaded.data, draft]);

  const content = draft;
  const dirty =
    content !== null &&
    loaded.data !== undefined &&
    JSON.stringify(content) !== JSON.stringify(loaded.data.draft);
  useUnsaved('Dialogue designer', dirty);

  const problems = useMemo(() => problemsByCard(draft?.cards ?? [], issues), [draft, issues]);
  // The nodes live in state so xyflow's measurements and drags stay on them; the cards' data,
  // problems and the selection are laid over them whenever those change.
  const [nodes, setNodes] = useState<CardNode[]>([]);
  useEffect(() => {
    setNodes((previous) =>
      (draft?.cards ?? []).map((card) => {
        const old = previous.find((n) => n.id === card.id);
        return {
          ...(old ?? {
            id: card.id,
            type: 'card' as const,
            position: positions.get(card.id) ?? { x: 0, y: 0 },
          }),
          selected: card.id === selected,
          ariaLabel: `Card ${card.id}, ${card.type}`,
          data: { card, isStart: card.id === draft?.start, problems: problems.get(card.id) ?? [] },
        };
      }),
    );
  }, [draft, positions, selected, problems]);
  const edges: Edge[] = useMemo(
    () => edgesOf(draft?.cards ?? []).map((e) => ({ ...e, type: 'smoothstep' })),
    [draft],
  );

  if (loaded.error) return <p role="alert">{loaded.error}</p>;
  if (draft === null || content === null) return <p>Loading…</p>;

  const updateCard = (card: Card) =>
    setDraft({ ...draft, cards: draft.cards.map((c) => (c.id === card.id ? card : c)) });
  const selectedCard = draft.cards.find((c) => c.id === selected);
  const settingError = (field: string) =>
    issues.find((i) => i.field === field || i.field.startsWith(`${field}.`))?.message;
  const problemAt = (field: string) => issues.find((i) => i.field === field)?.message;

  function onNodesChange(changes: NodeChange<CardNode>[]) {
    setNodes((current) => applyNodeChanges(changes, current));
    for (const change of changes) {
      if (change.type === 'select' && change.selected) setSelected(change.id);
    }
  }

  function onConnect(connection: Connection) {
    const card = draft?.cards.find((c) => c.id === connection.source);
    if (!card || !connection.sourceHandle) return;
    updateCard(connectOutlet(card, connection.sourceHandle, connection.target));
  }

  function onEdgesDelete(removed: Edge[]) {
    let cards = draft?.cards ?? [];
    for (const edge of removed) {
      cards = cards.map((c) =>
        c.id === edge.source && edge.sourceHandle ? connectOutlet(c, edge.sourceHandle, null) : c,
      );
    }
    if (draft) setDraft({ ...draft, cards });
  }

  function addCard() {
    if (!draft) return;
    const card = newCard(draft.cards, addType);
    // Right of the selected card (or of the right-most one), below what that column holds.
    const from =
      nodes.find((n) => n.id === selected) ??
      nodes.reduce<CardNode | undefined>(
        (a, n) => (a && a.position.x >= n.position.x ? a : n),
        undefined,
      );
    const x = (from?.position.x ?? -280) + 280;
    const column = nodes.filter((n) => Math.abs(n.position.x - x) < 120);
    const y =
      column.length === 0
        ? (from?.position.y ?? 0)
        : Math.max(...column.map((n) => n.position.y)) + 170;
    setPositions(new Map(positions).set(card.id, { x, y }));
    setDraft({ ...draft, cards: [...draft.cards, card] });
    setSelected(card.id);
  }

  function deleteCard(id: string) {
    if (!draft) return;
    const cards = draft.cards
      .filter((c) => c.id !== id)
      .map((c) => {
        let next = c;
        for (const edge of edgesOf([c]))
          if (edge.target === id) next = connectOutlet(next, edge.sourceHandle, null);
        return next;
      });
    setDraft({ ...draft, cards });
    setSelected(null);
  }

  async function save(publish: boolean) {
    setWarnings([]);
    const ok = await action.run(
      publish ? 'Publishing' : 'Saving the draft',
      async () => {
        try {
          const saved = await api.put<DialogueDetail>(
            `/api/dialogues/${encodeURIComponent(props.id)}/draft`,
            content,
          );
          loaded.setData(saved);
          if (publish) {
            const outcome = await api.post<DialogueDetail & { warnings: string[] }>(
              `/api/dialogues/${encodeURIComponent(props.id)}/publish`,
            );
            loaded.setData(outcome);
            setWarnings(outcome.warnings);
          }
          setIssues([]);
        } catch (error) {
          setIssues(error instanceof ApiError ? error.issues : []);
          throw error;
        }
      },
      publish
        ? 'Published: new conversations get this version.'
        : 'Draft saved (not yet published).',
    );
    return ok;
  }

  return (
    <div className="designer">
      <Section
        title={`Dialogue: ${draft.name}`}
        actions={<a href="#/dialogues">Back to the list</a>}
      >
        <div className="settings">
          <Field
            label="Dialogue name"
            value={draft.name}
            error={settingError('name')}
            onChange={(name) => setDraft({ ...draft, name })}
          />
          <Field
            label="Priority (higher wins)"
            type="number"
            value={Number.isNaN(draft.priority) ? '' : String(draft.priority)}
            error={settingError('priority')}
            onChange={(v) => setDraft({ ...draft, priority: v === '' ? Number.NaN : Number(v) })}
          />
        </div>
        <div className="targeting">
          <PagesEditor
            pages={draft.pages}
            problemAt={problemAt}
            onChange={(pages) => setDraft({ ...draft, pages })}
          />
          <AudienceEditor
            audience={draft.audience}
            problemAt={problemAt}
            onChange={(audience) => setDraft({ ...draft, audience })}
          />
        </div>
        <div className="toolbar">
          <SelectField
            label="New card type"
            value={addType}
            options={CARD_TYPES_ADDED.map((t) => ({ value: t, label: t }))}
            onChange={(v) => setAddType(v as AddedCardType)}
          />
          <button type="button" onClick={addCard}>
            Add card
          </button>
          <SelectField
            label="Edit card"
            value={selected ?? ''}
            options={[
              { value: '', label: '(choose a card)' },
              ...draft.cards.map((c) => ({ value: c.id, label: `${c.id} (${c.type})` })),
            ]}
            onChange={(v) => setSelected(v === '' ? null : v)}
          />
          <span className="spacer" />
          <button type="button" disabled={action.busy} onClick={() => void save(false)}>
            Save draft
          </button>
          <button
            type="button"
            className="primary"
            disabled={action.busy}
            onClick={() => void save(true)}
          >
            Publish
          </button>
        </div>
        <Notice notice={action.notice} />
        {warnings.length > 0 && (
          <ul className="warnings" aria-label="Publish warnings">
            {warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        )}
      </Section>
      <div className="designer-body">
        <div className="graph" aria-label="Dialogue graph: cards and how they connect">
          <ReactFlow<CardNode, Edge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onConnect={onConnect}
            onEdgesDelete={onEdgesDelete}
            onPaneClick={() => setSelected(null)}
            fitView
            fitViewOptions={{ maxZoom: 1 }}
            minZoom={0.2}
          >
            <Background />
            <Controls />
          </ReactFlow>
        </div>
        <aside className="editor-panel" aria-label="Card editor">
          {selectedCard ? (
            <CardEditor
              key={selectedCard.id}
              card={selectedCard}
              cards={draft.cards}
              isStart={selectedCard.id === draft.start}
              problems={problems.get(selectedCard.id) ?? []}
              onChange={updateCard}
              onDelete={() => deleteCard(selectedCard.id)}
              onMakeStart={() => setDraft({ ...draft, start: selectedCard.id })}
            />
          ) : (
            <p>
              Select a card on the graph (or in “Edit card”) to edit it, then choose where each of
              its ways on leads. With a mouse, you can also drag from a card’s right-hand dot to
              another card.
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}
