import { useEffect } from 'react';
import { api } from '../api.js';
import { BarChart } from '../bar-chart.js';
import type { TabProps } from '../tabs.js';
import { Notice, Section, formatDateTime, useAction, useLoad } from '../ui.js';

interface SyncStatus {
  state: string;
  phase: string;
  schedule: string;
  currentRun: {
    trigger: string;
    phase: string;
    leadsUpserted: number;
    leadsExpected?: number;
    leadsPerSecond: number;
    etaSeconds?: number;
    calls: number;
  } | null;
  lastRun: {
    runId: string;
    outcome: string;
    startedAt: string;
    finishedAt?: string;
    leadsUpserted?: number;
    leadsDeleted?: number;
  } | null;
  lastSuccessAt: string | null;
  leadsStored: number;
  calls: {
    today: number;
    remaining: number;
    dailyQuota: number;
    pausedUntil: string | null;
    errorsByCode: Record<string, number>;
  };
  lastError: { at: string; code?: string; message?: string } | null;
}

interface Health {
  mode: 'sandbox' | 'marketo';
  warning?: string;
  sandboxUrl?: string;
  version: string;
}

interface DeadLetter {
  id: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/** The Marketo connection, the lead sync (progress, calls against the budget), the outbox. */
export function IntegrationsTab(_props: TabProps) {
  const status = useLoad(() => api.get<SyncStatus>('/api/sync/status'));
  const health = useLoad(async () => (await fetch('/health')).json() as Promise<Health>);
  const dead = useLoad(() => api.get<{ deadLetters: DeadLetter[] }>('/api/outbox/dead-letters'));
  const sync = useAction();
  const resend = useAction();
  const running = status.data?.state === 'running';
  const { reload } = status;

  // While a run goes on, its progress is read again every two seconds.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reload, 2_000);
    return () => clearInterval(timer);
  }, [running, reload]);

  const s = status.data;
  const run = s?.currentRun;
  return (
    <div className="grid">
      <Section title="Marketo connection">
        {health.data ? (
          <dl className="facts">
            <dt>Instance</dt>
            <dd>
              {health.data.mode === 'sandbox'
                ? `Built-in sandbox (${health.data.sandboxUrl ?? ''})`
                : 'Marketo (MARKETO_BASE_URL)'}
            </dd>
            <dt>Credentials</dt>
            <dd>
              {s?.lastError?.code === '601' || s?.lastError?.code === '602'
                ? `Refused by Marketo (${s.lastError.code})`
                : s?.lastSuccessAt
                  ? `Working (last sync ${formatDateTime(s.lastSuccessAt)})`
                  : 'Not used yet: run a sync to test them'}
            </dd>
            <dt>Service version</dt>
            <dd>{health.data.version}</dd>
          </dl>
        ) : (
          <p>{health.error ?? 'Loading…'}</p>
        )}
        {health.data?.warning && <p className="hint">{health.data.warning}</p>}
      </Section>

      <Section
        title="Lead sync"
        actions={
          <button
            type="button"
            className="primary"
            disabled={sync.busy || running}
            onClick={() =>
              void sync
                .run('Starting the sync', () => api.post('/api/sync/run'), 'The sync started.')
                .then(reload)
            }
          >
            Sync now
          </button>
        }
      >
        <Notice notice={sync.notice} />
        {status.error && <p role="alert">{status.error}</p>}
        {s && (
          <>
            <dl className="facts">
              <dt>State</dt>
              <dd data-testid="sync-state">{s.state}</dd>
              <dt>Schedule</dt>
              <dd>
                <code>{s.schedule}</code>
              </dd>
              <dt>Leads stored</dt>
              <dd>{s.leadsStored}</dd>
              <dt>Last run</dt>
              <dd>
                {s.lastRun
                  ? `${s.lastRun.outcome}, ${formatDateTime(s.lastRun.startedAt)}, ${s.lastRun.leadsUpserted ?? 0} leads`
                  : 'never'}
              </dd>
              {s.calls.pausedUntil && (
                <>
                  <dt>Waiting for budget</dt>
                  <dd>until {formatDateTime(s.calls.pausedUntil)}</dd>
                </>
              )}
            </dl>
            {run && (
              <div className="progress-block">
                <label htmlFor="sync-progress">
                  {run.phase}: {run.leadsUpserted}
                  {run.leadsExpected ? ` of ${run.leadsExpected}` : ''} leads,{' '}
                  {run.leadsPerSecond.toFixed(1)}/s
                  {run.etaSeconds !== undefined
                    ? `, about ${Math.ceil(run.etaSeconds)} s left`
                    : ''}
                </label>
                <progress
                  id="sync-progress"
                  max={run.leadsExpected ?? undefined}
                  value={run.leadsExpected ? run.leadsUpserted : undefined}
                />
              </div>
            )}
            <BarChart
              title={`Marketo calls today: ${s.calls.today} of ${s.calls.dailyQuota}`}
              labels={['Calls today']}
              horizontal
              stacked
              max={s.calls.dailyQuota}
              series={[
                { label: 'Used', values: [s.calls.today], colour: '#1f5fbf' },
                { label: 'Remaining', values: [s.calls.remaining], colour: '#c9d3e0' },
              ]}
            />
            <h3>Last errors</h3>
            {Object.keys(s.calls.errorsByCode).length === 0 && !s.lastError ? (
              <p>No errors from Marketo.</p>
            ) : (
              <ul>
                {Object.entries(s.calls.errorsByCode).map(([code, count]) => (
                  <li key={code}>
                    Marketo code {code}: {count} time(s) today
                  </li>
                ))}
                {s.lastError && (
                  <li>
                    Last: {s.lastError.code ?? ''} {s.lastError.message ?? ''} (
                    {formatDateTime(s.lastError.at)})
                  </li>
                )}
              </ul>
            )}
          </>
        )}
      </Section>

      <Section title="Outbox: dead letters">
        <Notice notice={resend.notice} />
        {dead.error && <p role="alert">{dead.error}</p>}
        {dead.data && dead.data.deadLetters.length === 0 && (
          <p>No dead letters: every write went out.</p>
        )}
        {dead.data && dead.data.deadLetters.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {dead.data.deadLetters.map((d) => (
                <tr key={d.id}>
                  <td>{d.kind}</td>
                  <td>{d.attempts}</td>
                  <td>{d.lastError ?? ''}</td>
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
                          .then(dead.reload)
                      }
                    >
                      Re-send
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
