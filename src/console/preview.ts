import './zod-jitless.js';
import { chatConfigurationSchema } from '../records/chat-configuration.js';
import { STRINGS } from '../chat/widget/widget-strings.js';
import { createWidgetView } from '../chat/widget/widget-view.js';

/**
 * The widget preview framed by the Configuration tab: the real widget's view (widget-view.ts,
 * as the site bundle draws it) with the look the console posts on every edit, a short sample
 * conversation in it. Only the console (same origin) may post; a look that does not pass the
 * schema leaves the last good preview in place.
 */
function show(look: ReturnType<typeof chatConfigurationSchema.parse>): void {
  for (const old of document.querySelectorAll('[data-marketo-chat]')) old.remove();
  // The view focuses its first control when it opens; in a preview beside a form, that would
  // take the focus from the field being typed in, so focus() does nothing while it is built.
  const focus = HTMLElement.prototype.focus;
  HTMLElement.prototype.focus = () => {};
  try {
    const view = createWidgetView(look, { strings: STRINGS.en, mode: 'launcher' });
    void view.showLauncher();
    view.open();
    view.say('bot', `Hi there! I am ${look.bot.name}. What brings you here today?`);
    view.say('visitor', 'I would like to see pricing.');
    view.say('bot', 'Our Team plan starts at $49 per month.');
    void view.choose(['Book a demo', 'Just browsing']);
  } finally {
    HTMLElement.prototype.focus = focus;
  }
  document.body.dataset.previewed = String(Date.now());
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.origin !== location.origin) return;
  const data = event.data as { type?: unknown; configuration?: unknown } | null;
  if (data?.type !== 'marketo-chat-preview') return;
  const parsed = chatConfigurationSchema.safeParse(data.configuration);
  if (parsed.success) show(parsed.data);
});

// Tells the console the preview is ready for a look.
window.parent.postMessage({ type: 'marketo-chat-preview-ready' }, location.origin);
