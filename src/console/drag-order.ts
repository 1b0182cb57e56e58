import { useState, type DragEvent } from 'react';

/**
 * A list reordered by drag and drop or by move buttons (the rotation, the routing rules):
 * `move` puts an id at a place; `itemProps(id)` are the drag handlers and class of its item.
 */
export function useDragOrder(order: readonly string[], setOrder: (order: string[]) => void) {
  const [dragging, setDragging] = useState<string | null>(null);
  const move = (id: string, to: number) => {
    const rest = order.filter((x) => x !== id);
    rest.splice(Math.max(0, Math.min(to, rest.length)), 0, id);
    setOrder(rest);
  };
  const itemProps = (id: string) => ({
    draggable: true,
    className: dragging === id ? 'dragging' : undefined,
    onDragStart: (event: DragEvent) => {
      setDragging(id);
      event.dataTransfer.setData('text/plain', id);
      event.dataTransfer.effectAllowed = 'move';
    },
    onDragOver: (event: DragEvent) => event.preventDefault(),
    onDrop: (event: DragEvent) => {
      event.preventDefault();
      const from = dragging ?? event.dataTransfer.getData('text/plain');
      if (from && from !== id) move(from, order.indexOf(id));
      setDragging(null);
    },
    onDragEnd: () => setDragging(null),
  });
  return { move, itemProps };
}
