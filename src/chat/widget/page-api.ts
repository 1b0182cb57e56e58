/**
 * What a site's page uses to start conversational flows: `window.MarketoChat` and links with
 * `data-marketo-chat`. widget.ts gives it `open` and `restart`.
 */

/** How a page opens a conversational flow (MarketoChat.open, `data-marketo-chat` links). */
export interface OpenOptions {
  mode?: 'popup' | 'inline';
  /** Inline: the element (or a selector for it) the conversation is drawn into. */
  target?: Element | string | null;
}

/** The element an inline flow is drawn into; a selector that is not one finds nothing. */
export function findTarget(target: OpenOptions['target']): Element | null {
  if (typeof target !== 'string') return target || null;
  try {
    return document.querySelector(target);
  } catch {
    return null;
  }
}

/**
 * `window.MarketoChat` and the `data-marketo-chat="<dialogueId>"` links (a click opens that
 * dialogue; `data-marketo-chat-mode="inline"` with `data-marketo-chat-target="<selector>"`
 * draws it into the page).
 */
export function installPageApi(api: {
  open(dialogueId: string, options?: OpenOptions): Promise<boolean>;
  restart(dialogueId?: string): void;
}): void {
  (window as Window & { MarketoChat?: unknown }).MarketoChat = {
    open: (dialogueId: string, options?: OpenOptions) => api.open(String(dialogueId), options),
    restart: (dialogueId?: string) => api.restart(dialogueId),
  };
  document.addEventListener('click', (event) => {
    const from = event.target instanceof Element ? event.target : null;
    const link = from && from.closest('[data-marketo-chat]');
    // The widget's own host carries the attribute empty: clicks in the chat are not links.
    const dialogueId = link && link.getAttribute('data-marketo-chat');
    if (!link || !dialogueId) return;
    event.preventDefault();
    const inline = link.getAttribute('data-marketo-chat-mode') === 'inline';
    void api.open(dialogueId, {
      mode: inline ? 'inline' : 'popup',
      target: link.getAttribute('data-marketo-chat-target'),
    });
  });
}
