import { useEffect, useRef, useState } from 'react';
import type { ChatConfiguration } from '../../records/chat-configuration.js';
import { api } from '../api.js';
import type { TabProps } from '../tabs.js';
import { useUnsaved } from '../unsaved.js';
import { Checkbox, Field, Notice, Section, SelectField, useAction, useLoad } from '../ui.js';

const COLOURS = [
  ['primary', 'Primary colour'],
  ['background', 'Background colour'],
  ['text', 'Text colour'],
  ['botBubble', 'Bot bubble colour'],
  ['visitorBubble', 'Visitor bubble colour'],
] as const;

/** The look and feel (PUT /api/configuration), with the real widget previewed beside the form. */
export function ConfigurationTab(_props: TabProps) {
  const loaded = useLoad(() => api.get<ChatConfiguration>('/api/configuration'));
  const [form, setForm] = useState<ChatConfiguration | null>(null);
  const [domains, setDomains] = useState('');
  const save = useAction();
  const frame = useRef<HTMLIFrameElement>(null);
  const [frameReady, setFrameReady] = useState(false);

  useEffect(() => {
    if (loaded.data && form === null) {
      setForm(loaded.data);
      setDomains(loaded.data.allowedDomains.join(', '));
    }
  }, [loaded.data, form]);

  const draft = form === null ? null : { ...form, allowedDomains: splitList(domains) };
  const dirty =
    draft !== null &&
    loaded.data !== undefined &&
    JSON.stringify(draft) !== JSON.stringify(loaded.data);
  useUnsaved('Configuration', dirty);

  // The preview page says when it is ready; every edit is posted to it.
  useEffect(() => {
    const onMessage = (event: MessageEvent<{ type?: string }>) => {
      if (event.origin === location.origin && event.data?.type === 'marketo-chat-preview-ready')
        setFrameReady(true);
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);
  useEffect(() => {
    if (!frameReady || draft === null) return;
    frame.current?.contentWindow?.postMessage(
      { type: 'marketo-chat-preview', configuration: draft },
      location.origin,
    );
  });

  if (loaded.error) return <p role="alert">{loaded.error}</p>;
  if (form === null || draft === null) return <p>Loading…</p>;

  const err = (field: string) => save.failure?.forField(field);
  const set = (change: (c: ChatConfiguration) => ChatConfiguration) => setForm(change(form));

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    await save.run(
      'Saving the look and feel',
      async () => {
        const saved = await api.put<ChatConfiguration>('/api/configuration', draft);
        loaded.setData(saved);
        setForm(saved);
        setDomains(saved.allowedDomains.join(', '));
      },
      'Saved: visitors get the new look on their next page.',
    );
  }

  return (
    <div className="split">
      <Section title="Look and feel">
        <form onSubmit={(e) => void submit(e)} noValidate aria-label="Look and feel">
          <Checkbox
            label="Chat enabled on every site"
            checked={form.chatEnabled}
            onChange={(v) => set((c) => ({ ...c, chatEnabled: v }))}
          />
          <Field
            label="Bot name"
            value={form.bot.name}
            error={err('bot.name')}
            onChange={(v) => set((c) => ({ ...c, bot: { ...c.bot, name: v } }))}
          />
          <Field
            label="Header label"
            value={form.bot.headerLabel}
            error={err('bot.headerLabel')}
            onChange={(v) => set((c) => ({ ...c, bot: { ...c.bot, headerLabel: v } }))}
          />
          <div className="colours">
            {COLOURS.map(([key, label]) => (
              <div className="colour" key={key}>
                <span
                  className="swatch"
                  aria-hidden="true"
                  style={{
                    background: /^#[0-9a-f]{3,6}$/i.test(form.style.colours[key])
                      ? form.style.colours[key]
                      : 'transparent',
                  }}
                />
                <Field
                  label={label}
                  value={form.style.colours[key]}
                  error={err(`style.colours.${key}`)}
                  onChange={(v) =>
                    set((c) => ({
                      ...c,
                      style: { ...c.style, colours: { ...c.style.colours, [key]: v } },
                    }))
                  }
                />
              </div>
            ))}
          </div>
          <Field
            label="Font size (px)"
            type="number"
            value={String(form.style.fontSizePx)}
            error={err('style.fontSizePx')}
            onChange={(v) =>
              set((c) => ({
                ...c,
                style: { ...c.style, fontSizePx: v === '' ? Number.NaN : Number(v) },
              }))
            }
          />
          <SelectField
            label="Launcher position"
            value={form.style.launcher.position}
            options={[
              { value: 'bottom-right', label: 'Bottom right' },
              { value: 'bottom-left', label: 'Bottom left' },
            ]}
            onChange={(v) =>
              set((c) => ({
                ...c,
                style: {
                  ...c.style,
                  launcher: { ...c.style.launcher, position: v as 'bottom-right' },
                },
              }))
            }
          />
          <Field
            label="Privacy policy URL"
            value={form.privacyPolicyUrl ?? ''}
            error={err('privacyPolicyUrl')}
            onChange={(v) => set((c) => ({ ...c, privacyPolicyUrl: v.trim() === '' ? null : v }))}
          />
          <Field
            label="Allowed domains (comma-separated)"
            value={domains}
            error={save.failure?.issues.find((i) => i.field.startsWith('allowedDomains'))?.message}
            onChange={setDomains}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={save.busy}>
              Save look and feel
            </button>
            <button
              type="button"
              disabled={!dirty}
              onClick={() => {
                setForm(loaded.data ?? null);
                setDomains(loaded.data?.allowedDomains.join(', ') ?? '');
              }}
            >
              Discard edits
            </button>
          </div>
          <Notice notice={save.notice} />
        </form>
      </Section>
      <Section title="Preview">
        <iframe ref={frame} className="preview" title="Widget preview" src="preview.html" />
      </Section>
    </div>
  );
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
}
