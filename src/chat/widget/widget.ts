import { createChatApi } from './chat-api-client.js';
import { playConversation, type BrowserEventName } from './conversation-player.js';
import { visitorTimeZone } from './slot-picker.js';
import { createVisitorMemory, pickConversation, type KeyValueStorage } from './visitor-memory.js';
import { createWidgetView } from './widget-view.js';

/**
 * The embeddable chat widget. A site adds one tag:
 *   <script src="https://<service>/widget.js" async></script>
 * The script finds the service from its own src, asks POST /chat/resolve which dialogue this
 * visitor gets on this page, and if one comes back, loads the look and feel and plays it.
 * Browser events it fires are documented in ./README.md.
 */

let readySent = false;
const emit = (name: BrowserEventName, detail: Record<string, unknown>) => {
  if (name === 'ready' && readySent) return;
  readySent ||= name === 'ready';
  window.dispatchEvent(new CustomEvent(`marketo-chat:${name}`, { detail }));
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** 128 random bits as 32 hex characters; getRandomValues works on plain-http pages too. */
const newId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

/** localStorage can throw (disabled cookies, some private modes): fall back to memory. */
function storage(pick: () => Storage): KeyValueStorage {
  try {
    const s = pick();
    s.setItem('marketo-chat:probe', '1');
    s.removeItem('marketo-chat:probe');
    return s;
  } catch {
    const m = new Map<string, string>();
    return {
      getItem: (k) => (m.has(k) ? (m.get(k) as string) : null),
      setItem: (k, v) => void m.set(k, v),
      removeItem: (k) => void m.delete(k),
    };
  }
}

/** The Munchkin tracking cookie, when the site runs Munchkin (contract: at most 200 chars). */
function mktoTrk(): string | undefined {
  const match = /(?:^|;\s*)_mkto_trk=([^;]*)/.exec(document.cookie);
  const value = match && match[1] ? decodeURIComponent(match[1]) : '';
  return value && value.length <= 200 ? value : undefined;
}

const domReady = () =>
  document.readyState === 'loading'
    ? new Promise((resolve) =>
        document.addEventListener('DOMContentLoaded', resolve, { once: true }),
      )
    : Promise.resolve();

async function start(baseUrl: string): Promise<void> {
  const memory = createVisitorMemory(
    storage(() => window.localStorage),
    storage(() => window.sessionStorage),
    newId,
  );
  const api = createChatApi({ baseUrl, fetch: window.fetch.bind(window), sleep });
  const pageUrl = location.href.slice(0, 2048);
  const trk = mktoTrk();
  const visitor = memory.visitor();
  const served = await api.resolve({
    pageUrl,
    visitor: trk ? { ...visitor, mktoTrk: trk } : visitor,
  });
  const picked = pickConversation(memory, served.dialogue, newId);
  if (!picked) {
    emit('ready', {
      dialogue: null,
      reason: served.dialogue ? 'completed' : served.reason || null,
    });
    return;
  }
  // Without a look (service down and nothing cached) the start() failure ends in ready/error.
  const cached = memory.look();
  const look = await api.look(cached).catch((err: unknown) => cached || Promise.reject(err));
  memory.saveLook(look);
  const { dialogue, record } = picked;
  if (!look.configuration.chatEnabled) {
    emit('ready', { dialogue: null, reason: 'chat disabled' });
    return;
  }
  await domReady();
  emit('ready', {
    dialogue: { id: dialogue.id, version: dialogue.version, name: dialogue.name },
    conversationId: record.conversationId,
  });
  await playConversation(
    {
      api,
      memory,
      view: createWidgetView(look.configuration),
      emit,
      sleep,
      newId,
      now: Date.now,
      timeZone: visitorTimeZone(),
      pageUrl,
      mktoTrk,
      responseDelayMs: look.configuration.bot.responseDelaySeconds * 1000,
    },
    dialogue,
    record,
  );
}

const self = window as Window & { __marketoChatLoaded?: boolean };
const script =
  (document.currentScript as HTMLScriptElement | null) ||
  document.querySelector<HTMLScriptElement>('script[src*="/widget.js"]');
if (script && script.src && !self.__marketoChatLoaded) {
  self.__marketoChatLoaded = true;
  // The folder of widget.js, so a service mounted under a path prefix works too.
  start(new URL('.', script.src).href).catch((err: unknown) => {
    emit('ready', { dialogue: null, reason: 'error' });
    console.warn('[marketo-chat]', err);
  });
}
