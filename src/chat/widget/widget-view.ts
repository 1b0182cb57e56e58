import type { ChatView, FormCheck, FormField } from './conversation-player.js';
import type { ChatLook } from './visitor-memory.js';
import { readableOn, WIDGET_CSS } from './widget-styles.js';

/**
 * The widget's DOM, inside an open shadow root so neither the site's CSS nor ours leaks.
 * Every configured or served string goes in through textContent or an attribute, never
 * innerHTML: tokens were rendered by the server and are plain text here.
 */

const SVG = 'http://www.w3.org/2000/svg';

function attrs<E extends Element>(node: E, values: Record<string, string>): E {
  for (const [name, value] of Object.entries(values)) node.setAttribute(name, value);
  return node;
}

function el<K extends keyof HTMLElementTagNameMap>(
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
  for (const [k, v] of [
    ['position', 'fixed'],
    ['z-index', '2147483000'],
    ['bottom', pad],
    [left ? 'left' : 'right', pad],
  ] as const)
    host.style.setProperty(k, v, 'important');

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
  /** New controls take the focus only if the visitor is already working in the panel. */
  const offer = (node: HTMLElement) => {
    const hadFocus = focusInPanel();
    reply.replaceChildren(node);
    const control = firstControl();
    if (hadFocus && control) control.focus();
  };
  /** After an answer, focus stays in the panel (not lost to <body>) for keyboard users. */
  const clearReply = () => {
    const hadFocus = focusInPanel();
    reply.replaceChildren();
    if (hadFocus) panel.focus();
  };
  let fieldCount = 0;

  return {
    showLauncher() {
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
    choose(labels) {
      return new Promise((resolve) => {
        const group = el('div', 'choices', undefined, { role: 'group' });
        labels.forEach((label, index) => {
          const b = el('button', 'choice', label, { type: 'button' });
          b.addEventListener('click', () => {
            clearReply();
            resolve(index);
          });
          group.appendChild(b);
        });
        offer(group);
      });
    },
    fillIn(fields: FormField[], submitLabel: string, check: FormCheck) {
      return new Promise((resolve) => {
        const form = el('form', '', undefined, { novalidate: '' });
        const errorId = `mkc-error-${++fieldCount}`;
        const inputs = fields.map((f) => {
          const id = `mkc-field-${++fieldCount}`;
          const input = el('input', '', undefined, {
            id,
            type: f.type,
            autocomplete: f.autocomplete,
            required: '',
            'aria-describedby': errorId,
          });
          form.append(el('label', '', f.label, { for: id }), input);
          return input;
        });
        const error = el('p', 'error', undefined, { id: errorId, role: 'alert', hidden: '' });
        const submit = el('button', 'send', submitLabel, { type: 'submit' });
        form.append(error, submit);
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          if (submit.disabled) return;
          submit.disabled = true;
          const answers = inputs.map((i) => i.value.trim());
          const problem = await check(answers).catch(() => 'Sorry, something went wrong.');
          submit.disabled = false;
          error.textContent = problem || '';
          error.hidden = !problem;
          for (const i of inputs) i.setAttribute('aria-invalid', String(!!problem));
          if (problem) (inputs[0] as HTMLInputElement).focus();
          else {
            clearReply();
            resolve(answers);
          }
        });
        offer(form);
      });
    },
  };
}
