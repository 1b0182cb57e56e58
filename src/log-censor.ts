/**
 * Keys whose values are secrets, matched case-insensitively at any depth of a log line:
 * authorization and cookie headers (also as axios puts them in an error's `config.headers`),
 * webhook and flow-step keys (`x-api-key`, `x-webhook-secret`, the Call Webhook's `?secret=`,
 * Marketo's `apiCallBackKey` and callback `token`), OAuth access and refresh tokens, client
 * secrets and passwords. Exact names only: `nextPageToken` (a Marketo paging position) and
 * `tokenRequests` (a count) stay readable.
 */
export const SECRET_LOG_KEYS: readonly string[] = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-webhook-secret',
  'x-callback-token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'client_secret',
  'clientSecret',
  'apiCallBackKey',
  'token',
  'password',
  'secret',
  // Config keys in camel case, should a config object ever be logged, and proxy credentials.
  'apiKey',
  'previousApiKey',
  'previousSecret',
  'adminToken',
  'metricsToken',
  'ssfsApiKey',
  'webhookSecret',
  'proxy-authorization',
];

const CENSORED = '"[redacted]"';
// The names hold only letters, `-` and `_`: nothing to escape in a pattern.
const keys = SECRET_LOG_KEYS.join('|');
/**
 * A secret key as a JSON key: a quote right after `{` or `,` (pino writes no spaces). Inside a
 * string value every quote is escaped (`\"`), so text that merely looks like `"token":` in a
 * message never matches. The `{`/`,` is matched, not looked behind for: a lookbehind made the
 * scan of an ordinary line four times slower (bench/log-censor.ts).
 */
const SECRET_KEY = new RegExp(`[{,]"(?:${keys})":`, 'gi');

/**
 * The log line with every secret key's value, at any depth and of any type, replaced by
 * "[redacted]". pino's own redact takes fixed paths whose wildcards reach one level; this runs
 * on the finished line (pino's `hooks.streamWrite`), after the serializers and with the child
 * bindings, so nothing a serializer adds (an error's `config.headers`) or a child carries
 * escapes it. A line without a secret key costs one regex scan and is returned as it is.
 */
export function censorLogLine(line: string): string {
  SECRET_KEY.lastIndex = 0;
  let match = SECRET_KEY.exec(line);
  if (match === null) return line;
  let out = '';
  let from = 0;
  while (match !== null) {
    const valueStart = match.index + match[0].length;
    const valueEnd = endOfJsonValue(line, valueStart);
    out += line.slice(from, valueStart) + CENSORED;
    from = valueEnd;
    SECRET_KEY.lastIndex = valueEnd;
    match = SECRET_KEY.exec(line);
  }
  return out + line.slice(from);
}

/** Where the JSON value starting at `start` ends: a string, an object or array, or a scalar. */
function endOfJsonValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      depth -= 1;
      if (depth === 0) return i + 1;
    } else if (c === ',' && depth === 0) return i;
  }
  return text.length;
}
