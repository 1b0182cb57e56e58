import type { Card } from '../records/chat-cards.js';
import type { DialogueContent } from '../records/chat-dialogue.js';
import type { PublishProblem } from './publish-validation.js';

/**
 * The conversation as a graph of cards, for publish validation: references, loops, and
 * booking cards per path. Every path from `start` must end (`next: null`), so the graph
 * reachable from `start` must be a finite DAG whose edges all land on existing cards.
 */

/**
 * Duplicate ids, a missing start card, dangling `next`s, and loops reachable from `start`;
 * when there is no loop, also booking cards that follow another booking card on some path.
 */
export function checkDialogueGraph(dialogue: DialogueContent): PublishProblem[] {
  const graph = buildGraph(dialogue);
  return [...graph.problems, ...findLoops(dialogue, graph)];
}

/** Ids of cards no path from `start` reaches, in card order. */
export function findUnreachableCards(content: DialogueContent): string[] {
  const graph = buildGraph(content);
  const reached = reachableFrom(content.start, graph);
  return content.cards.map((card) => card.id).filter((id) => !reached.has(id));
}

interface Edge {
  field: string;
  to: string;
}

interface Graph {
  /** First card of each id; duplicates are reported, not indexed. */
  index: Map<string, number>;
  /** Edges to existing cards, by card id; dangling ones are reported instead. */
  edges: Map<string, Edge[]>;
  problems: PublishProblem[];
}

function buildGraph(dialogue: DialogueContent): Graph {
  const index = new Map<string, number>();
  const problems: PublishProblem[] = [];
  dialogue.cards.forEach((card, i) => {
    if (index.has(card.id)) {
      problems.push({ field: `cards.${i}.id`, message: `card id "${card.id}" is used twice` });
    } else {
      index.set(card.id, i);
    }
  });
  if (!index.has(dialogue.start)) {
    problems.push({
      field: 'start',
      message: `there is no card "${dialogue.start}" to start with`,
    });
  }
  const edges = new Map<string, Edge[]>();
  dialogue.cards.forEach((card, i) => {
    if (index.get(card.id) !== i) return;
    const valid: Edge[] = [];
    for (const edge of outgoing(card, i)) {
      if (edge.to === null) continue;
      if (index.has(edge.to)) valid.push({ field: edge.field, to: edge.to });
      else
        problems.push({
          field: edge.field,
          message: `leads to card "${edge.to}", which does not exist`,
        });
    }
    edges.set(card.id, valid);
  });
  return { index, edges, problems };
}

function outgoing(card: Card, i: number): Array<{ field: string; to: string | null }> {
  if (card.type === 'question') {
    return card.buttons.map((button, j) => ({
      field: `cards.${i}.buttons.${j}.next`,
      to: button.next,
    }));
  }
  if (card.type === 'condition') {
    return [
      ...card.branches.map((branch, j) => ({
        field: `cards.${i}.branches.${j}.next`,
        to: branch.next,
      })),
      { field: `cards.${i}.otherwise`, to: card.otherwise },
    ];
  }
  return [{ field: `cards.${i}.next`, to: card.next }];
}

function reachableFrom(start: string, graph: Graph): Set<string> {
  const reached = new Set<string>();
  const stack = graph.index.has(start) ? [start] : [];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const edge of graph.edges.get(id) ?? []) stack.push(edge.to);
  }
  return reached;
}

/** Each edge that closes a loop reachable from `start`; with none, the booking problems. */
function findLoops(dialogue: DialogueContent, graph: Graph): PublishProblem[] {
  const problems: PublishProblem[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    for (const edge of graph.edges.get(id) ?? []) {
      const seen = state.get(edge.to);
      if (seen === 'open') {
        problems.push({
          field: edge.field,
          message: `leads back to card "${edge.to}", which comes earlier on the same path: a conversation must end, so loops are not allowed`,
        });
      } else if (seen === undefined) {
        visit(edge.to);
      }
    }
    state.set(id, 'done');
  };
  if (graph.index.has(dialogue.start)) visit(dialogue.start);
  return problems.length > 0 ? problems : bookingProblems(dialogue, graph);
}

/** Needs a loop-free graph: for every booking card, any other booking card after it. */
function bookingProblems(dialogue: DialogueContent, graph: Graph): PublishProblem[] {
  const reached = reachableFrom(dialogue.start, graph);
  const isBooking = (id: string) => dialogue.cards[graph.index.get(id)!]?.type === 'booking';
  const flagged = new Map<string, string>();
  for (const id of reached) {
    if (!isBooking(id)) continue;
    const after = new Set<string>();
    for (const edge of graph.edges.get(id) ?? []) {
      for (const later of reachableFrom(edge.to, graph)) after.add(later);
    }
    for (const later of after) if (isBooking(later) && !flagged.has(later)) flagged.set(later, id);
  }
  return [...flagged].map(([later, earlier]) => ({
    field: `cards.${graph.index.get(later)}`,
    message: `a second meeting booking on one path (after booking card "${earlier}"): at most one booking card per branch`,
  }));
}
