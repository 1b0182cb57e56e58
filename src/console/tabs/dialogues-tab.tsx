import { useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { DialogueDesigner } from '../designer/dialogue-designer.js';
import type { TabProps } from '../tabs.js';
import { Field, Notice, Section, formatDateTime, useAction, useLoad } from '../ui.js';

interface DialogueSummary {
  id: string;
  name: string;
  enabled: boolean;
  published: { version: number; priority: number; publishedAt: string } | null;
  hasUnpublishedChanges: boolean;
}

interface Stats {
  [counter: string]: number;
}

interface Preview {
  chatEnabled: boolean;
  siteAllowed: boolean;
  visitor: { known: boolean; source: string };
  chosen: { id: string; name: string; version: number } | null;
  reasons: Array<{ dialogueId: string; name: string; shown: boolean; reason: string }>;
}

/** The dialogues with status, priority and counts; `#/dialogues/<id>` opens the designer. */
export function DialoguesTab(props: TabProps) {
  const id = props.path[0];
  if (id) return <DialogueDesigner id={decodeURIComponent(id)} />;
  return <DialogueList />;
}

function DialogueList() {
  const list = useLoad(async () => {
    const { dialogues } = await api.get<{ chatEnabled: boolean; dialogues: DialogueSummary[] }>(
      '/api/dialogues',
    );
    const stats = await Promise.all(
      dialogues.map((d) =>
        api
          .get<{ stats: Stats }>(`/api/dialogues/${encodeURIComponent(d.id)}`)
          .then((x) => x.stats),
      ),
    );
    return dialogues.map((d, i) => ({ ...d, stats: stats[i] ?? {} }));
  });
  const [name, setName] = useState('');
  const create = useAction();
  const toggle = useAction();

  async function createDialogue(event: FormEvent) {
    event.preventDefault();
    let created: { id: string } | undefined;
    const ok = await create.run('Creating the dialogue', async () => {
      created = await api.post<{ id: string }>('/api/dialogues', {
        name,
        audience: { visitors: 'all', match: 'all', groups: [] },
        pages: { include: ['*'], exclude: [] },
        priority: 0,
        start: 'welcome',
        cards: [{ id: 'welcome', type: 'message', text: 'Hi! How can we help?', next: null }],
      });
    });
    if (ok && created) location.hash = `#/dialogues/${encodeURIComponent(created.id)}`;
  }

  return (
    <div className="grid">
      <Section title="Dialogues">
        {list.error && <p role="alert">{list.error}</p>}
        <Notice notice={toggle.notice} />
        {list.data && (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Triggered</th>
                  <th scope="col">Engaged</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((d) => (
                  <tr key={d.id}>
                    <th scope="row">
                      <a href={`#/dialogues/${encodeURIComponent(d.id)}`}>{d.name}</a>
                    </th>
                    <td>
                      {d.enabled ? 'On' : 'Off'},{' '}
                      {d.published
                        ? `v${d.published.version} published ${formatDateTime(d.published.publishedAt)}`
                        : 'never published'}
                      {d.hasUnpublishedChanges ? ', unpublished changes' : ''}
                    </td>
                    <td>{d.published?.priority ?? '—'}</td>
                    <td>{d.stats.triggered ?? 0}</td>
                    <td>{d.stats.engaged ?? 0}</td>
                    <td>{d.stats.completed ?? 0}</td>
                    <td>
                      <button
                        type="button"
                        disabled={toggle.busy}
                        onClick={() =>
                          void toggle
                            .run(`Switching ${d.name} ${d.enabled ? 'off' : 'on'}`, () =>
                              api.post(
                                `/api/dialogues/${encodeURIComponent(d.id)}/${d.enabled ? 'disable' : 'enable'}`,
                              ),
                            )
                            .then(list.reload)
                        }
                      >
                        {d.enabled ? 'Switch off' : 'Switch on'}{' '}
                        <span className="sr-only">{d.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <form
          className="inline-form"
          onSubmit={(e) => void createDialogue(e)}
          noValidate
          aria-label="New dialogue"
        >
          <Field
            label="New dialogue name"
            value={name}
            error={create.failure?.forField('name')}
            onChange={setName}
          />
          <button type="submit" disabled={create.busy}>
            Create and design
          </button>
        </form>
        <Notice notice={create.notice} />
      </Section>
      <PreviewForm />
    </div>
  );
}

/** "Would this visitor on this page see it, and why not" (POST /api/dialogues/preview). */
function PreviewForm() {
  const [pageUrl, setPageUrl] = useState('http://localhost:3000/pricing');
  const [email, setEmail] = useState('');
  const [result, setResult] = useState<Preview | null>(null);
  const check = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await check.run(
      'The preview',
      async () => {
        setResult(
          await api.post<Preview>('/api/dialogues/preview', {
            pageUrl,
            ...(email.trim() === '' ? {} : { email: email.trim() }),
          }),
        );
      },
      'Preview ready.',
    );
  }

  return (
    <Section title="Who sees what">
      <form onSubmit={(e) => void submit(e)} noValidate aria-label="Dialogue preview">
        <Field
          label="Page URL"
          value={pageUrl}
          error={check.failure?.forField('pageUrl')}
          onChange={setPageUrl}
        />
        <Field
          label="Visitor email (empty: anonymous)"
          value={email}
          error={check.failure?.forField('email')}
          onChange={setEmail}
        />
        <button type="submit" disabled={check.busy}>
          Preview
        </button>
      </form>
      <Notice notice={check.notice} />
      {result && (
        <div className="preview-result">
          <p>
            <strong>
              {result.chosen
                ? `Shown: ${result.chosen.name} (v${result.chosen.version})`
                : 'No dialogue is shown.'}
            </strong>{' '}
            {!result.chatEnabled && 'Chat is switched off. '}
            {!result.siteAllowed && 'This site is not among the allowed domains. '}
            Visitor: {result.visitor.known ? 'known lead' : 'anonymous'} ({result.visitor.source}).
          </p>
          <ul>
            {result.reasons.map((r) => (
              <li key={r.dialogueId}>
                {r.name}: {r.shown ? 'shown' : 'not shown'} — {r.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Section>
  );
}
