import type { ChatView, SlotPick } from './chat-view.js';
import { button, el } from './dom-elements.js';

/**
 * The visitor's answers as native buttons and a form, drawn in an area of the panel (the reply
 * area, or a meeting card's own): keyboard and screen readers work without extra code.
 */

export interface FocusRules {
  /** Whether the visitor is working in the panel (new controls may then take the focus). */
  inPanel(): boolean;
  /** Where the focus goes when the controls it was on are gone. */
  rest(): void;
}

let ids = 0;

export function createAnswerControls(
  area: HTMLElement,
  focus: FocusRules,
): Pick<ChatView, 'choose' | 'pickSlot' | 'fillIn'> {
  /** New controls take the focus only if the visitor is already working in the panel. */
  const offer = (node: HTMLElement) => {
    const hadFocus = focus.inPanel();
    area.replaceChildren(node);
    node.scrollIntoView({ block: 'nearest' });
    const control = area.querySelector<HTMLElement>('input,button');
    if (hadFocus && control) control.focus();
  };
  /** After an answer, focus stays in the panel (not lost to <body>) for keyboard users. */
  const answered = <T>(resolve: (value: T) => void, value: T) => {
    const hadFocus = focus.inPanel();
    area.replaceChildren();
    if (hadFocus) focus.rest();
    resolve(value);
  };

  return {
    choose(labels) {
      return new Promise((resolve) => {
        const group = el('div', 'choices', undefined, { role: 'group' });
        labels.forEach((label, index) =>
          group.appendChild(button('choice', label, () => answered(resolve, index))),
        );
        offer(group);
      });
    },

    pickSlot(offer_) {
      return new Promise<SlotPick>((resolve) => {
        const box = el('div', 'slots');
        if (offer_.note) box.appendChild(el('p', 'note', offer_.note, { role: 'alert' }));
        const days = el('div', 'days', undefined, { role: 'group', 'aria-label': 'Days' });
        const times = el('div', 'times', undefined, { role: 'group' });
        const show = (index: number) => {
          const day = offer_.days[index];
          if (!day) return;
          days.childNodes.forEach((b, i) =>
            (b as Element).setAttribute('aria-pressed', String(i === index)),
          );
          times.setAttribute('aria-label', day.label);
          times.replaceChildren(
            ...day.times.map((t) => button('choice', t.label, () => answered(resolve, t))),
          );
        };
        offer_.days.forEach((day, i) =>
          days.appendChild(button('choice', day.label, () => show(i))),
        );
        show(offer_.day);
        const later = button('choice', offer_.later, () => answered(resolve, 'later'));
        box.append(el('p', 'cap', offer_.caption), days, times, later);
        offer(box);
      });
    },

    fillIn(fields, submitLabel, check, backLabel) {
      return new Promise((resolve) => {
        const form = el('form', '', undefined, { novalidate: '' });
        const errorId = `mkc-error-${++ids}`;
        const inputs = fields.map((f) => {
          const id = `mkc-field-${++ids}`;
          const input = el('input', '', undefined, {
            id,
            type: f.type,
            autocomplete: f.autocomplete,
            required: '',
            'aria-describedby': errorId,
          });
          if (f.value) input.value = f.value;
          form.append(el('label', '', f.label, { for: id }), input);
          return input;
        });
        const error = el('p', 'error', undefined, { id: errorId, role: 'alert', hidden: '' });
        const submit = el('button', 'send', submitLabel, { type: 'submit' });
        form.append(error, submit);
        // Not while a submit is being checked: its booking may still come through.
        const leave = () => submit.disabled || answered(resolve, null);
        if (backLabel) form.appendChild(button('choice', backLabel, leave));
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
          else answered(resolve, answers);
        });
        offer(form);
      });
    },
  };
}
