import { createAnswerControls, type FocusRules } from './answer-controls.js';
import type { ChatView, MeetingCard } from './chat-view.js';
import { attrs, button, el } from './dom-elements.js';
import { followVisibleArea } from './follow-visible-area.js';
import type { ChatLook } from './visitor-memory.js';
import { fill, type WidgetStrings } from './widget-strings.js';
import { readableOn, WIDGET_CSS } from './widget-styles.js';

/**
 * The widget's DOM, inside an open shadow root so neither the site's CSS nor ours leaks.
 * Every configured or served string goes in through textContent or an attribute, never
 * innerHTML: tokens were rendered by the server and are plain text here.
 */

const SVG = 'http://www.w3.org/2000/svg';

function chatIcon(): SVGSVGElement {
  const svg = attrs(document.createElementNS(SVG, 'svg'), {
    viewBox: '0 0 24 24',
    width: '28',
    height: '28',
    'aria-hidden': 'true',
  });
  svg.appendChild(
    attrs(document.createElementNS(SVG, 'path'), {
      fill: 'currentColor',
      d: 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z',
    }),
  );
  return svg;
}

/** Decorative: the bot's name is already in the labels around it. */
const avatar = (look: ChatLook) =>
  look.bot.avatar ? el('img', '', undefined, { src: look.bot.avatar.url, alt: '' }) : null;

function applyStyles(root: ShadowRoot): void {
  // A constructed sheet is not an inline <style>, so strict style-src policies still allow it.
  if ('adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(WIDGET_CSS);
    root.adoptedStyleSheets = [sheet];
  } else root.appendChild(el('style', '', WIDGET_CSS));
}

/**
 * `launcher`: the chat button in the corner (a targeted dialogue); `popup`: the panel opened at
 * once over the page, without a button (a conversational flow); `inline`: the panel inside the
 * page's `target` element, always open.
 */
export interface ViewOptions {
  strings: WidgetStrings;
  mode?: 'launcher' | 'popup' | 'inline';
  target?: Element;
}

export function createWidgetView(look: ChatLook, options: ViewOptions): ChatView {
  const { style, bot } = look;
  const t = options.strings;
  const mode = options.mode || 'launcher';
  const left = style.launcher.position === 'bottom-left';
  const host = el('div', '', undefined, { 'data-marketo-chat': '' });
  // Inline, the host is a block of the site's page; elsewhere it floats (follow-visible-area).
  if (mode === 'inline') host.style.display = 'block';
  const pad = `${style.launcher.paddingPx}px`;

  const root = host.attachShadow({ mode: 'open' });
  applyStyles(root);
  // `popup` and `inline` restyle the panel (widget-styles.ts); the launcher mode is the default.
  const wrap = el('div', `root ${left ? 'left' : 'right'}${mode === 'launcher' ? '' : ` ${mode}`}`);
  const c = style.colours;
  for (const [k, v] of [
    ['--f', style.fontFamily],
    ['--s', `${style.fontSizePx}px`],
    ['--p', c.primary],
    ['--op', readableOn(c.primary)],
    ['--bg', c.background],
    ['--t', c.text],
    ['--b', c.botBubble],
    ['--v', c.visitorBubble],
    ['--ov', readableOn(c.visitorBubble)],
    ['--pd', pad],
  ] as const)
    wrap.style.setProperty(k, v);

  const launcher = el('button', 'launcher', undefined, {
    type: 'button',
    'aria-label': fill(t.open, { name: bot.name }),
    'aria-haspopup': 'dialog',
    'aria-expanded': 'false',
    'aria-controls': 'mkc-panel',
  });
  launcher.appendChild(avatar(look) || chatIcon());

  const panel = el('div', 'panel', undefined, {
    id: 'mkc-panel',
    role: 'dialog',
    'aria-labelledby': 'mkc-title',
    tabindex: '-1',
    hidden: '',
  });
  const head = el('div', 'head');
  const close = el('button', 'close', '×', { type: 'button', 'aria-label': t.close });
  const again = el('button', 'again', t.startOver, { type: 'button' });
  const face = avatar(look);
  if (face) head.appendChild(face);
  head.append(el('h2', '', bot.headerLabel, { id: 'mkc-title' }), again);
  // Inline, the panel is part of the page: nothing to close.
  if (mode !== 'inline') head.append(close);
  const log = el('div', 'log', undefined, {
    role: 'log',
    'aria-label': `Conversation with ${bot.name}`,
  });
  const reply = el('div', 'reply');
  const back = el('button', 'choice back', `← ${t.back}`, { type: 'button', hidden: '' });
  panel.append(head, log, reply, back);
  // The service validates http(s); checked again because an href is where a URL can run code.
  if (look.privacyPolicyUrl && /^https?:/i.test(look.privacyPolicyUrl)) {
    const link = el('a', '', t.privacy, {
      href: look.privacyPolicyUrl,
      target: '_blank',
      rel: 'noopener noreferrer',
    });
    panel.appendChild(el('p', 'privacy')).appendChild(link);
  }
  wrap.append(panel);
  if (mode === 'launcher') wrap.append(launcher);
  root.appendChild(wrap);

  let opened: () => void = () => {};
  const firstOpen = new Promise<void>((resolve) => (opened = resolve));
  const focusInPanel = () => panel.contains(root.activeElement);
  const firstControl = () => reply.querySelector<HTMLElement>('input,button');
  const toggle = (open: boolean) => {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) {
      if (!host.isConnected) attach();
      opened();
      (firstControl() || close).focus();
      log.scrollTop = log.scrollHeight;
    } else if (mode === 'popup') host.remove();
    else launcher.focus();
  };
  let attached = false;
  const attach = () => {
    if (mode === 'inline' && options.target) options.target.appendChild(host);
    else document.body.appendChild(host);
    if (!attached && mode !== 'inline') followVisibleArea(host, wrap);
    attached = true;
  };
  launcher.addEventListener('click', () => toggle(panel.hidden));
  close.addEventListener('click', () => toggle(false));
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && mode !== 'inline') toggle(false);
  });

  let go: (to: 'back' | 'restart') => void = () => {};
  back.addEventListener('click', () => go('back'));
  again.addEventListener('click', () => go('restart'));

  let typingRow: HTMLElement | null = null;
  const append = (node: HTMLElement) => {
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  };
  const focus: FocusRules = {
    inPanel: focusInPanel,
    rest: () => panel.focus(),
  };

  return {
    ...createAnswerControls(reply, focus, t),
    showLauncher() {
      if (attached) return firstOpen;
      attach();
      if (mode !== 'launcher') toggle(true);
      return firstOpen;
    },
    open() {
      if (panel.hidden || !host.isConnected) toggle(true);
    },
    reset() {
      // Back or start over was clicked in the panel: the next controls take the focus from it.
      const hadFocus = focusInPanel();
      log.replaceChildren();
      reply.replaceChildren();
      typingRow = null;
      if (hadFocus) panel.focus();
    },
    showDocument(title, url, onOpen) {
      // The service validates http(s); checked again because an href is where a URL can run code.
      if (!/^https?:/i.test(url)) return;
      const link = el('a', 'doc', title, { href: url, target: '_blank', rel: 'noopener' });
      link.addEventListener('click', onOpen);
      link.addEventListener('auxclick', onOpen);
      const row = el('div', 'msg bot');
      row.append(link);
      append(row);
    },
    navigate(to) {
      go = to;
    },
    canGoBack(on) {
      back.hidden = !on;
    },
    say(from, text) {
      const row = el('div', `msg ${from}`, undefined, { 'data-from': from });
      row.append(
        el('span', 'sr', `${from === 'bot' ? bot.name : t.you}: `),
        el('span', 'text', text),
      );
      append(row);
    },
    typing(on) {
      if (typingRow) typingRow.remove();
      typingRow = null;
      if (!on) return;
      typingRow = el('div', 'msg bot typing', undefined, { role: 'status' });
      typingRow.append(
        el('span', 'sr', fill(t.typing, { name: bot.name })),
        el('i'),
        el('i'),
        el('i'),
      );
      append(typingRow);
    },
    showMeeting(first, onAction) {
      const body = el('div');
      const area = el('div', 'choices');
      const show = (card: MeetingCard) => {
        const actions = el('div', 'acts');
        card.actions.forEach((label, i) =>
          actions.appendChild(button('choice', label, () => onAction(i))),
        );
        body.replaceChildren(
          el('strong', '', card.title),
          ...card.lines.map((line) => el('p', '', line)),
          ...card.links
            // The service gives http(s) links; checked again because an href can run code.
            .filter((link) => /^https?:/i.test(link.href))
            .map((link) =>
              el('a', '', link.label, {
                href: link.href,
                target: '_blank',
                rel: 'noopener noreferrer',
              }),
            ),
          actions,
        );
        if (card.note) body.appendChild(el('p', 'error', card.note, { role: 'alert' }));
      };
      const redraw = (card: MeetingCard) => {
        // A redraw may remove the button that had the focus: keep it in the panel.
        const hadFocus = focusInPanel();
        show(card);
        if (hadFocus && !focusInPanel()) panel.focus();
      };
      show(first);
      const row = el('div', 'msg bot meeting');
      row.append(body, area);
      append(row);
      return { ...createAnswerControls(area, focus, t), show: redraw };
    },
  };
}
