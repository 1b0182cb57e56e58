/**
 * What a write serialises: the document as it was when the write started, taken in about a
 * millisecond at 100,000 leads, then turned into JSON a chunk at a time so that the event loop
 * (the Marketo rate limiter, HTTP handlers) runs between chunks instead of stalling for the
 * 0.2-0.4 s that one JSON.stringify of a 40 MB document takes.
 *
 * The snapshot is cheap because only two levels of the document ever change in place:
 * - the document object itself (a top-level value is replaced: `doc.sync = state`), and
 * - its collections, each a Map keyed by id (written as a JSON object) or an array.
 * Everything else is frozen: every entry of a collection (a lead) and every other top-level
 * value (sync state, usage). To change one, put a new frozen value in its place. The snapshot
 * then copies the top level and each collection's keys and values (pointers, not data), and
 * the values it holds cannot change under it, however many event-loop turns serialising takes.
 */
export type DocumentSnapshot = readonly SnapshotPart[];

type MapPart = { name: string; kind: 'map'; keys: unknown[]; values: unknown[] };
type ArrayPart = { name: string; kind: 'array'; items: unknown[] };
type SnapshotPart = MapPart | ArrayPart | { name: string; kind: 'value'; value: unknown };

/**
 * Text per chunk: about 1,200 leads, 2-3 ms of JSON.stringify on one core (bench/store.ts), so
 * a 45 MB document is about 90 slices with the event loop free between them.
 */
export const CHUNK_CHARS = 512 * 1024;
const FIRST_PIECE_ENTRIES = 64;
const MAX_PIECE_ENTRIES = 65_536;

/** Freezes `value` and everything it holds; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for-in, not Object.values: no array per object, which makes opening 100,000 leads
    // about 60 ms faster. The document's objects are plain, so nothing is inherited.
    for (const key in value) {
      const item = value[key];
      if (typeof item === 'object' && item !== null) deepFreeze(item);
    }
  }
  return value;
}

/** Freezes every value the document holds, leaving the document and its collections open. */
export function freezeDocumentValues<T extends object>(document: T): T {
  for (const value of Object.values(document)) {
    if (value instanceof Map) for (const entry of value.values()) deepFreeze(entry);
    else if (Array.isArray(value)) for (const item of value) deepFreeze(item);
    else deepFreeze(value);
  }
  return document;
}

/**
 * The document as it is now, in O(collection size) pointer copies. Refuses a top-level object
 * that is neither a collection nor frozen: it may be changed in place, which the snapshot
 * could not see, so writing it would risk a file holding half of a change.
 */
export function takeDocumentSnapshot(document: object): DocumentSnapshot {
  return Object.entries(document).map(([name, value]: [string, unknown]): SnapshotPart => {
    if (value instanceof Map) {
      return { name, kind: 'map', keys: [...value.keys()], values: [...value.values()] };
    }
    if (Array.isArray(value)) return { name, kind: 'array', items: value.slice() };
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
      throw new Error(
        `Store document value "${name}" is neither a collection (Map or array) nor frozen, ` +
          'so a write cannot snapshot it: replace it with a frozen value instead of changing it.',
      );
    }
    return { name, kind: 'value', value };
  });
}

/**
 * The snapshot as JSON text, in chunks of at most about `chunkChars` characters (one piece of
 * a collection each), computed one at a time as the consumer asks for them: each `next()` is
 * one synchronous slice. The text is what
 * JSON.stringify makes of the document with each Map as an object, up to the order of keys.
 */
export function* serializeDocumentSnapshot(
  snapshot: DocumentSnapshot,
  chunkChars = CHUNK_CHARS,
): Generator<string, void, undefined> {
  let text = '{';
  let comma = '';
  for (const part of snapshot) {
    const key = `${comma}${JSON.stringify(part.name)}:`;
    if (part.kind === 'value') {
      const json = JSON.stringify(part.value) as string | undefined;
      if (json === undefined) continue; // JSON.stringify leaves such a property out too
      text += key + json;
    } else {
      const [open, close] = part.kind === 'map' ? ['{', '}'] : ['[', ']'];
      text += key + open;
      let separator = '';
      for (const piece of collectionPieces(part, chunkChars)) {
        yield text + separator + piece; // one piece per slice
        text = '';
        separator = ',';
      }
      text += close;
    }
    comma = ',';
  }
  yield `${text}}`;
}

/** A collection's entries as comma-separated JSON pieces of about `chunkChars` each. */
function* collectionPieces(part: MapPart | ArrayPart, chunkChars: number): Generator<string> {
  const length = part.kind === 'map' ? part.keys.length : part.items.length;
  let count = FIRST_PIECE_ENTRIES;
  for (let start = 0; start < length;) {
    const end = Math.min(start + count, length);
    const piece = part.kind === 'map' ? mapPiece(part, start, end) : arrayPiece(part, start, end);
    if (piece !== '') yield piece;
    // Size the next piece from this one, so a slice stays short whatever an entry weighs.
    const perEntry = Math.max(piece.length, 1) / (end - start);
    count = Math.min(MAX_PIECE_ENTRIES, Math.max(1, Math.round(chunkChars / perEntry)));
    start = end;
  }
}

function mapPiece(part: MapPart, start: number, end: number): string {
  // JSON.stringify does the escaping and leaves out undefined values; only its braces go.
  // No prototype, so a key such as "__proto__" is an ordinary property.
  const entries = Object.create(null) as Record<string, unknown>;
  for (let i = start; i < end; i++) entries[String(part.keys[i])] = part.values[i];
  return JSON.stringify(entries).slice(1, -1);
}

function arrayPiece(part: ArrayPart, start: number, end: number): string {
  return JSON.stringify(part.items.slice(start, end)).slice(1, -1);
}
