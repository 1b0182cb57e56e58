/**
 * Repairs the two ways a Marketo payload template commonly yields invalid JSON. Only called
 * after JSON.parse has failed, so a valid body is never rewritten.
 *
 * 1. Doubled quotes. "String-type tokens are automatically enclosed in double quotes"
 *    (DEV:help/webhooks/webhooks.md, Payload Template), so the classic template
 *    `{"email": "{{lead.Email Address}}"}` sends `{"email": ""a@b.com""}`, and `""""` when
 *    the field is empty. A value opening with `""` and closing with `""` just before `,`, `}`
 *    or `]` loses one pair of quotes.
 * 2. Missing values. Number and boolean tokens are not quoted, so an empty one leaves
 *    `{"score": }` (inference from the rule above; not stated by Adobe). A `:` followed only
 *    by `,` or `}` gets `null`.
 *
 * The scan walks strings with their escapes, so text inside a string value is never touched.
 */
export function repairMarketoJson(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      if (text[i + 1] === '"' && atValueStart(out)) {
        const close = closingQuote(text, i + 2);
        if (close !== -1 && text[close + 1] === '"' && atValueEnd(text, close + 2)) {
          out += text.slice(i + 1, close + 1);
          i = close + 2;
          continue;
        }
      }
      const close = closingQuote(text, i + 1);
      if (close === -1) return out + text.slice(i); // unterminated: JSON.parse will say so
      out += text.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    out += char;
    i += 1;
    if (char === ':') {
      let j = i;
      while (j < text.length && isSpace(text[j])) j += 1;
      if (text[j] === ',' || text[j] === '}') {
        out += text.slice(i, j) + 'null';
        i = j;
      }
    }
  }
  return out;
}

/** Index of the quote that ends a string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** After `:`, `[` or `,` (whitespace aside): where a value starts. */
function atValueStart(out: string): boolean {
  for (let i = out.length - 1; i >= 0; i -= 1) {
    if (isSpace(out[i])) continue;
    return out[i] === ':' || out[i] === '[' || out[i] === ',';
  }
  return false;
}

/** Before `,`, `}`, `]` or the end (whitespace aside): where a value ends. */
function atValueEnd(text: string, from: number): boolean {
  let i = from;
  while (i < text.length && isSpace(text[i])) i += 1;
  return i === text.length || text[i] === ',' || text[i] === '}' || text[i] === ']';
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}
