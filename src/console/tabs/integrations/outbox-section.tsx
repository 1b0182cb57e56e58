import { api } from '../../api.js';
import { Notice, Section, TableScroll, formatDateTime, useAction, useLoad } from '../../ui.js';
import { describeHold, formatAge, type OutboxHold } from './outbox-text.js';

interface OutboxView {
  pending: number;
  dead: number;
  byKind: Array<{ kind: string; pending: number; dead: number }>;
  heldFor: OutboxHold | null;
  oldestPending: {
    id: string;
    kind: string;
    attempts: number;
    lastError: string | null;
    createdAt: string;
    nextAttemptAt: string;
    ageSeconds: number;
  } | null;
}

interface DeadLetter {
  id: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The outbox: how many writes wait (by kind) and the oldest of them (GET /api/outbox), and the
 * dead letters with their error and a re-send button (POST /api/outbox/dead-letters/:id/retry).
 */
export function OutboxSection() {
  const outbox = useLoad(() => api.get<OutboxView>('/api/outbox'));
  const dead = useLoad(() => api.get<{ deadLetters: DeadLetter[] }>('/api/outbox/dead-letters'));
  const resend = useAction();
  const o = outbox.data;

  return (
    <Section
      title="Outbox"
      actions={
        <button
          type="button"
          onClick={() => {
            outbox.reload();
            dead.reload();
          }}
        >
          Refresh <span className="sr-only">the outbox</span>
        </button>
      }
    >
      {outbox.error && <p role="alert">{outbox.error}</p>}
      {o?.heldFor && (
        <p role="alert" data-testid="outbox-held">
          {describeHold(o.heldFor)}
        </p>
      )}
      {o && (
        <dl className="facts" aria-label="Outbox depth">
          <dt>Waiting to be sent</dt>
          <dd data-testid="outbox-pending">{o.pending}</dd>
          <dt>Dead letters</dt>
          <dd data-testid="outbox-dead">{o.dead}</dd>
          <dt>Oldest waiting</dt>
          <dd>
            {o.oldestPending
              ? `${o.oldestPending.kind}, waiting ${formatAge(o.oldestPending.ageSeconds)}, ` +
                `${o.oldestPending.attempts} attempt(s), next ${formatDateTime(o.oldestPending.nextAttemptAt)}` +
                (o.oldestPending.lastError ? `; last error: ${o.oldestPending.lastError}` : '')
              : 'nothing waits'}
          </dd>
          {o.byKind.length > 0 && (
            <>
              <dt>By kind</dt>
              <dd>
                {o.byKind.map((k) => `${k.kind}: ${k.pending} waiting, ${k.dead} dead`).join('; ')}
              </dd>
            </>
          )}
        </dl>
      )}
      <h3>Dead letters</h3>
      <Notice notice={resend.notice} />
      {dead.error && <p role="alert">{dead.error}</p>}
      {dead.data && dead.data.deadLetters.length === 0 && (
        <p>No dead letters: every write went out.</p>
      )}
      {dead.data && dead.data.deadLetters.length > 0 && (
        <TableScroll label="Dead letters, scrollable">
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Died</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {dead.data.deadLetters.map((d) => (
                <tr key={d.id} data-outbox-id={d.id}>
                  <td>{d.kind}</td>
                  <td>{formatDateTime(d.updatedAt)}</td>
                  <td>{d.attempts}</td>
                  <td className="wrap">{d.lastError ?? ''}</td>
                  <td>
                    <button
                      type="button"
                      disabled={resend.busy}
                      onClick={() =>
                        void resend
                          .run(
                            'Re-sending',
                            () =>
                              api.post(
                                `/api/outbox/dead-letters/${encodeURIComponent(d.id)}/retry`,
                              ),
                            'Queued to be sent again.',
                          )
                          .then(() => {
                            dead.reload();
                            outbox.reload();
                          })
                      }
                    >
                      Re-send <span className="sr-only">{d.kind}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Section>
  );
}
