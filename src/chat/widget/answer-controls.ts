import type { ChatView, FormField, SlotPick } from './chat-view.js';
import { button, el } from './dom-elements.js';
import type { WidgetStrings } from './widget-strings.js';

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

/** One field: an input (numbers as text with a decimal keyboard) or a select. */
function control(
  f: FormField,
  id: string,
  describedBy: string,
): HTMLInputElement | HTMLSelectElement {
  const common: Record<string, string> = {
    id,
    autocomplete: f.autocomplete,
    'aria-describedby': describedBy,
    ...(f.required === false ? {} : { required: '' }),
    ...(f.hideLabel ? { 'aria-label': f.label } : {}),
  };
  if (f.type === 'select') {
    const select = el('select', '', undefined, common);
    select.append(el('option', '', f.placeholder || '', { value: '' }));
    for (const o of f.options || []) select.append(el('option', '', o.label, { value: o.value }));
    return select;
  }
  const input = el('input', '', undefined, {
    ...common,
    type: f.type === 'number' ? 'text' : f.type,
    ...(f.type === 'number' ? { inputmode: 'decimal' } : {}),
    ...(f.placeholder ? { placeholder: f.placeholder } : {}),
  });
  if (f.value) input.value = f.value;
  return input;
}

export function createAnswerControls(
  area: HTMLElement,
  focus: FocusRules,
  t: Pick<WidgetStrings, 'days' | 'error'>,
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
        const days = el('div', 'days', undefined, { role: 'group', 'aria-label': t.days });
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
        const fieldErrors: HTMLElement[] = [];
        const inputs = fields.map((f) => {
          const id = `mkc-field-${++ids}`;
          const own = el('p', 'error', undefined, { id: `${id}-error`, hidden: '' });
          const input = control(f, id, `${id}-error ${errorId}`);
          if (!f.hideLabel) form.append(el('label', '', f.label, { for: id }));
          form.append(input, own);
          fieldErrors.push(own);
          return input;
        });
        const error = el('p', 'error', undefined, { id: errorId, role: 'alert', hidden: '' });
        const submit = el('button', 'send', submitLabel, { type: 'submit' });
        form.append(error, submit);
        // Not while a submit is being checked: its booking may still come through.
        const leave = () => submit.disabled || answered(resolve, null);
        if (backLabel) form.appendChild(button('choice', backLabel, leave));
        const show = (node: HTMLElement, text: string) => {
          node.textContent = text;
          node.hidden = !text;
          node.setAttribute('role', text ? 'alert' : 'none');
        };
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          if (submit.disabled) return;
          submit.disabled = true;
          const answers = inputs.map((i) => i.value.trim());
          const problem = await check(answers).catch(() => t.error);
          submit.disabled = false;
          // A problem of one field is shown under it; one of the whole form under the form.
          const at = problem && typeof problem === 'object' ? problem.field : -1;
          const message = problem && typeof problem === 'object' ? problem.message : problem || '';
          show(error, at < 0 ? message : '');
          fieldErrors.forEach((node, i) => show(node, i === at ? message : ''));
          inputs.forEach((input, i) =>
            input.setAttribute('aria-invalid', String(!!message && (at < 0 || i === at))),
          );
          if (message) (inputs[Math.max(at, 0)] as HTMLElement).focus();
          else answered(resolve, answers);
        });
        offer(form);
      });
    },
  };
}
