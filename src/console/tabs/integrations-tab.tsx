import { useEffect } from 'react';
import { api } from '../api.js';
import { BarChart } from '../bar-chart.js';
import type { TabProps } from '../tabs.js';
import { Notice, Section, formatDateTime, useAction, useLoad } from '../ui.js';
import { OutboxSection } from './integrations/outbox-section.js';
import { SyncHistory, type SyncRun } from './integrations/sync-history.js';

type ConnectionTest =
  | { ok: true; checkedAt: string }
  | { ok: false; checkedAt: string; error: { code: string; message: string } };

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
  lastRun: SyncRun | null;
  recentRuns: SyncRun[];
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

/** The Marketo connection, the lead sync (progress, calls against the budget), the outbox. */
export function IntegrationsTab(_props: TabProps) {
  const status = useLoad(() => api.get<SyncStatus>('/api/sync/status'));
  const health = useLoad(async () => (await fetch('/health')).json() as Promise<Health>);
  const sync = useAction();
  const check = useAction();

  async function testConnection() {
    let result: ConnectionTest | undefined;
    const ok = await check.run('Testing the connection', async () => {
      result = await api.post<ConnectionTest>('/api/marketo/connection-test');
    });
    if (!ok || result === undefined) return;
    check.setNotice(
      result.ok
        ? {
            kind: 'ok',
            text: `Connection works: Marketo issued a token (${formatDateTime(result.checkedAt)}).`,
          }
        : {
            kind: 'error',
            text: `Connection failed (${result.error.code}): ${result.error.message} Check MARKETO_BASE_URL, MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET.`,
          },
    );
  }
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
                  : 'Not used yet: use “Test connection”'}
            </dd>
            <dt>Service version</dt>
            <dd>{health.data.version}</dd>
          </dl>
        ) : (
          <p>{health.error ?? 'Loading…'}</p>
        )}
        {health.data?.warning && <p className="hint">{health.data.warning}</p>}
        <div className="actions">
          <button type="button" disabled={check.busy} onClick={() => void testConnection()}>
            Test connection
          </button>
        </div>
        <Notice notice={check.notice} />
      </Section>

      <Section
        title="Lead sync"
        actions={
          <span className="buttons">
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
            <button
              type="button"
              disabled={sync.busy || running}
              title="Copies every lead again; leads Marketo no longer has are removed at its end"
              onClick={() =>
                void sync
                  .run(
                    'Starting the full re-sync',
                    () => api.post('/api/sync/run', { full: true }),
                    'The full re-sync started: every lead is copied again.',
                  )
                  .then(reload)
              }
            >
              Full re-sync
            </button>
          </span>
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

      {s && <SyncHistory runs={s.recentRuns} />}
      <OutboxSection />
    </div>
  );
}
