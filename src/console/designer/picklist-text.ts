import type { AnswerSpec } from '../../records/chat-cards.js';

/** A picklist's choices as the designer's text box has them, and back. */
type Options = Extract<AnswerSpec, { kind: 'picklist' }>['options'];

/** `Label` or `Label=value`, one a line; blank lines are dropped. */
export function parseOptions(text: string): Options {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.indexOf('=');
      if (at < 0) return { label: line };
      const label = line.slice(0, at).trim();
      const value = line.slice(at + 1).trim();
      return value === '' ? { label } : { label, value };
    });
}

export function optionsText(options: Options): string {
  return options.map((o) => (o.value === undefined ? o.label : `${o.label}=${o.value}`)).join('\n');
}
