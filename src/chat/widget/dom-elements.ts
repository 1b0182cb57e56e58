/**
 * The two DOM builders of the view. Text goes in through textContent and values through
 * setAttribute, never innerHTML: every string may come from the service or the dialogue.
 */

export function attrs<E extends Element>(node: E, values: Record<string, string>): E {
  for (const [name, value] of Object.entries(values)) node.setAttribute(name, value);
  return node;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text?: string,
  values: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = attrs(document.createElement(tag), values);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A button that runs `onClick`; `type=button` so it never submits a form. */
export function button(className: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', className, text, { type: 'button' });
  b.addEventListener('click', onClick);
  return b;
}
