import { createAnswerControls, type FocusRules } from './answer-controls.js';
import type { ChatView, MeetingCard } from './chat-view.js';
import { attrs, button, el } from './dom-elements.js';
import { followVisibleArea } from './follow-visible-area.js';
import type { ChatLook } from './visitor-memory.js';
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

export function createWidgetView(look: ChatLook): ChatView {
  const { style, bot } = look;
  const left = style.launcher.position === 'bottom-left';
  const host = el('div', '', undefined, { 'data-marketo-chat': '' });
  const pad = `${style.launcher.paddingPx}px`;

  const root = host.attachShadow({ mode: 'open' });
  applyStyles(root);
  const wrap = el('div', `root ${left ? 'left' : 'right'}`);
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
    'aria-label': `Open chat with ${bot.name}`,
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
  const close = el('button', 'close', '×', { type: 'button', 'aria-label': 'Close chat' });
  const face = avatar(look);
  if (face) head.appendChild(face);
  head.append(el('h2', '', bot.headerLabel, { id: 'mkc-title' }), close);
  const log = el('div', 'log', undefined, {
    role: 'log',
    'aria-label': `Conversation with ${bot.name}`,
  });
  const reply = el('div', 'reply');
  panel.append(head, log, reply);
  // The service validates http(s); checked again because an href is where a URL can run code.
  if (look.privacyPolicyUrl && /^https?:/i.test(look.privacyPolicyUrl)) {
    const link = el('a', '', 'Privacy policy', {
      href: look.privacyPolicyUrl,
      target: '_blank',
      rel: 'noopener noreferrer',
    });
    panel.appendChild(el('p', 'privacy')).appendChild(link);
  }
  wrap.append(panel, launcher);
  root.appendChild(wrap);

  let opened: () => void = () => {};
  const firstOpen = new Promise<void>((resolve) => (opened = resolve));
  const focusInPanel = () => panel.contains(root.activeElement);
  const firstControl = () => reply.querySelector<HTMLElement>('input,button');
  const toggle = (open: boolean) => {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    if (open) {
      opened();
      (firstControl() || close).focus();
      log.scrollTop = log.scrollHeight;
    } else launcher.focus();
  };
  launcher.addEventListener('click', () => toggle(panel.hidden));
  close.addEventListener('click', () => toggle(false));
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') toggle(false);
  });

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
    ...createAnswerControls(reply, focus),
    showLauncher() {
      followVisibleArea(host, wrap);
      document.body.appendChild(host);
      return firstOpen;
    },
    say(from, text) {
      const row = el('div', `msg ${from}`, undefined, { 'data-from': from });
      row.append(
        el('span', 'sr', from === 'bot' ? `${bot.name}: ` : 'You: '),
        el('span', 'text', text),
      );
      append(row);
    },
    typing(on) {
      if (typingRow) typingRow.remove();
      typingRow = null;
      if (!on) return;
      typingRow = el('div', 'msg bot typing', undefined, { role: 'status' });
      typingRow.append(el('span', 'sr', `${bot.name} is typing`), el('i'), el('i'), el('i'));
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
      return { ...createAnswerControls(area, focus), show: redraw };
    },
  };
}
