import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { Card } from '../../records/chat-cards.js';
import { cardSummary, outletsOf } from './graph-model.js';

export type CardNodeData = {
  card: Card;
  isStart: boolean;
  problems: Array<{ field: string; message: string }>;
};
export type CardNode = Node<CardNodeData, 'card'>;

/**
 * One card on the graph: its type, id and text (as text, never HTML), a handle on the left to
 * arrive at, one on the right per way on, and the publish problems of the card beside it.
 */
export function CardNodeView({ data, selected }: NodeProps<CardNode>) {
  const { card, isStart, problems } = data;
  const outlets = outletsOf(card);
  return (
    <div
      className={`card-node type-${card.type}${selected ? ' selected' : ''}${problems.length > 0 ? ' invalid' : ''}`}
      data-card-id={card.id}
    >
      <Handle type="target" position={Position.Left} id="in" />
      <div className="card-node-head">
        <span className="card-type">{card.type}</span>
        <span className="card-id">{card.id}</span>
        {isStart && <span className="card-start">start</span>}
      </div>
      <p className="card-text">{cardSummary(card)}</p>
      <ul className="outlets">
        {outlets.map((o) => (
          <li key={o.handle} className="outlet">
            <span>{o.label}</span>
            <Handle
              type="source"
              position={Position.Right}
              id={o.handle}
              className="outlet-handle"
            />
          </li>
        ))}
      </ul>
      {problems.length > 0 && (
        <ul className="card-problems" role="alert">
          {problems.map((p, i) => (
            <li key={i}>
              {p.field ? `${p.field}: ` : ''}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
