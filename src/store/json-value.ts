/** What `copyJsonValue` returns for a value JSON cannot hold. */
export const NOT_JSON = Symbol('not a JSON value');

const MAX_DEPTH = 32;

/**
 * A frozen deep copy of a JSON value, or NOT_JSON for anything JSON cannot hold (bigint,
 * NaN, Infinity, a function, a Date, a Map, a class instance, a cycle or nesting past 32
 * levels). Undefined object members are left out, as JSON.stringify leaves them out, so a
 * memory store and a file store hold the same value after a round trip. The store refuses
 * NOT_JSON values: one bigint in the document would make every later write fail, not only
 * the one that brought it.
 */
export function copyJsonValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : NOT_JSON;
  if (depth > MAX_DEPTH || typeof value !== 'object') return NOT_JSON;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value as unknown[]) {
      const copy = copyJsonValue(item, depth + 1);
      if (copy === NOT_JSON) return NOT_JSON;
      items.push(copy);
    }
    return Object.freeze(items);
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_JSON; // Date, Map, class instances
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const itemCopy = copyJsonValue(item, depth + 1);
    if (itemCopy === NOT_JSON) return NOT_JSON;
    // defineProperty, not assignment: a "__proto__" member (JSON.parse makes one from
    // untrusted input) must stay a member, not become the copy's prototype.
    Object.defineProperty(copy, name, {
      value: itemCopy,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return Object.freeze(copy);
}
