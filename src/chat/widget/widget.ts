import { createChatApi } from './chat-api-client.js';
import type { ChatView } from './chat-view.js';
import { runConversation, type BrowserEventName } from './conversation-player.js';
import { createNavigator, type Navigator } from './conversation-steps.js';
import { pickLanguage, translateDialogue } from './dialogue-language.js';
import { visitorTimeZone } from './slot-picker.js';
import {
  createVisitorMemory,
  pickConversation,
  type CachedLook,
  type KeyValueStorage,
} from './visitor-memory.js';
import { STRINGS } from './widget-strings.js';
import { createWidgetView, type ViewOptions } from './widget-view.js';
import { findTarget, installPageApi, type OpenOptions } from './page-api.js';

/**
 * The embeddable chat widget. A site adds one tag:
 *   <script src="https://<service>/widget.js" async></script>
 * The script finds the service from its own src, asks POST /chat/resolve which dialogue this
 * visitor gets on this page, and if one comes back, loads the look and feel and plays it. Pages
 * open conversational flows with window.MarketoChat.open(dialogueId) or `data-marketo-chat`
 * links. Browser events and the JS API are documented in ./README.md.
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

interface Session {
  view: ChatView;
  navigator: Navigator;
}

async function start(baseUrl: string, script: HTMLScriptElement): Promise<void> {
  const memory = createVisitorMemory(
    storage(() => window.localStorage),
    storage(() => window.sessionStorage),
    newId,
  );
  const browserLanguages = navigator.languages || [navigator.language];
  const lang = pickLanguage(
    [script.getAttribute('data-language'), document.documentElement.lang, ...browserLanguages],
    browserLanguages,
  );
  const strings = STRINGS[lang.language];
  const api = createChatApi({
    baseUrl,
    fetch: window.fetch.bind(window),
    sleep,
    genericError: strings.error,
  });
  const pageUrl = location.href.slice(0, 2048);
  const visitorNow = () => {
    const trk = mktoTrk();
    return trk ? { ...memory.visitor(), mktoTrk: trk } : memory.visitor();
  };
  let look: Promise<CachedLook> | undefined;
  // Without a look (service down and nothing cached) the caller's failure ends in ready/error.
  const loadLook = () =>
    (look ||= (async () => {
      const cached = memory.look();
      const got = await api.look(cached).catch((err: unknown) => cached || Promise.reject(err));
      memory.saveLook(got);
      return got;
    })());
  const sessions = new Map<string, Session>();
  let latest: Session | undefined;

  /** Plays a picked conversation in a new view until the page goes. */
  const play = (
    configuration: CachedLook['configuration'],
    picked: NonNullable<ReturnType<typeof pickConversation>>,
    options: ViewOptions,
  ) => {
    const view = createWidgetView(configuration, options);
    const session: Session = { view, navigator: createNavigator() };
    view.navigate(session.navigator.go);
    sessions.set(picked.dialogue.id, session);
    latest = session;
    const deps = {
      api,
      memory,
      view,
      emit,
      sleep,
      newId,
      now: Date.now,
      timeZone: visitorTimeZone(),
      locale: lang.locale,
      strings,
      language: lang.language,
      navigator: session.navigator,
      pageUrl,
      mktoTrk,
      responseDelayMs: configuration.bot.responseDelaySeconds * 1000,
    };
    runConversation(deps, translateDialogue(picked.dialogue, lang), picked.record).catch(
      (err: unknown) => console.warn('[marketo-chat]', err),
    );
  };

  /** Opens being asked for: a double click, or a link and a script at once, open one chat. */
  const opening = new Map<string, Promise<boolean>>();
  const open = (dialogueId: string, options: OpenOptions = {}): Promise<boolean> => {
    const pending = opening.get(dialogueId);
    if (pending) return pending;
    const started = openFlow(dialogueId, options).finally(() => opening.delete(dialogueId));
    opening.set(dialogueId, started);
    return started;
  };

  /** A conversational flow: the same targeting checks (resolve with the dialogue's id). */
  const openFlow = async (dialogueId: string, options: OpenOptions): Promise<boolean> => {
    const unavailable = (reason: string) => {
      emit('unavailable', { dialogueId, reason });
      return false;
    };
    const running = sessions.get(dialogueId);
    if (running) {
      running.view.open();
      latest = running;
      return true;
    }
    const mode = options.mode === 'inline' ? 'inline' : 'popup';
    const target = findTarget(options.target);
    if (mode === 'inline' && !target) return unavailable('no target element');
    const served = await api
      .resolve({ pageUrl, visitor: visitorNow(), dialogueId })
      .catch(() => null);
    if (!served) return unavailable('error');
    if (!served.dialogue || served.dialogue.id !== dialogueId)
      return unavailable(served.reason || 'not available');
    const picked = pickConversation(memory, served.dialogue, newId, true);
    const configuration = (await loadLook().catch(() => null))?.configuration;
    if (!picked || !configuration) return unavailable('error');
    if (!configuration.chatEnabled) return unavailable('chat disabled');
    await domReady();
    play(configuration, picked, { strings, mode, ...(target ? { target } : {}) });
    return true;
  };

  installPageApi({
    open,
    restart: (dialogueId) => {
      const session = dialogueId ? sessions.get(dialogueId) : latest;
      if (session) session.navigator.go('restart');
    },
  });

  const served = await api.resolve({ pageUrl, visitor: visitorNow() });
  const picked = pickConversation(memory, served.dialogue, newId);
  if (!picked) {
    emit('ready', {
      dialogue: null,
      reason: served.dialogue ? 'completed' : served.reason || null,
    });
    return;
  }
  const { configuration } = await loadLook();
  const { dialogue, record } = picked;
  if (!configuration.chatEnabled) {
    emit('ready', { dialogue: null, reason: 'chat disabled' });
    return;
  }
  await domReady();
  emit('ready', {
    dialogue: { id: dialogue.id, version: dialogue.version, name: dialogue.name },
    conversationId: record.conversationId,
  });
  if (sessions.has(dialogue.id)) return; // the page opened it as a flow meanwhile
  play(configuration, picked, { strings });
}

const self = window as Window & { __marketoChatLoaded?: boolean };
const script =
  (document.currentScript as HTMLScriptElement | null) ||
  document.querySelector<HTMLScriptElement>('script[src*="/widget.js"]');
if (script && script.src && !self.__marketoChatLoaded) {
  self.__marketoChatLoaded = true;
  // The folder of widget.js, so a service mounted under a path prefix works too.
  start(new URL('.', script.src).href, script).catch((err: unknown) => {
    emit('ready', { dialogue: null, reason: 'error' });
    console.warn('[marketo-chat]', err);
  });
}
