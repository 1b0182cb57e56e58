import dotenv from 'dotenv';
import { createLogger } from '../logger.js';
import {
  createMarketoSandbox,
  faultProfileSchema,
  type FaultProfileInput,
} from '../sandbox/index.js';
import { handleStopSignals } from '../stop-signals.js';

/**
 * `npm run sandbox`: the built-in Marketo sandbox on its own, for trying several replicas (or the
 * CLI) against one Marketo: start it, then give every replica
 * MARKETO_BASE_URL=http://127.0.0.1:<port>, MARKETO_CLIENT_ID=sandbox-client and
 * MARKETO_CLIENT_SECRET=sandbox-secret from their first start (a store records the instance it
 * serves). SANDBOX_PORT (default 3999; 0 for any free port) and SANDBOX_LEADS (default 2,000) as for the service.
 */
dotenv.config({ quiet: true });
const portText = process.env.SANDBOX_PORT?.trim() ?? '';
// Unset: a fixed port to point replicas at; 0: any free port (printed below), as for the service.
const port = portText === '' ? 3999 : Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`SANDBOX_PORT must be a port number (got "${portText}")\n`);
  process.exit(1);
}
const leads = Number(process.env.SANDBOX_LEADS ?? 2_000);
if (!Number.isInteger(leads) || leads < 0) {
  process.stderr.write(`SANDBOX_LEADS must be a whole number of leads (got "${String(leads)}")\n`);
  process.exit(1);
}
// SANDBOX_FAULT_PROFILE: seeded random faults as JSON, e.g. {"seed":7,"rates":{"502":0.05,
// "606":0.05},"lostAnswer":0.05} (src/sandbox/sandbox-fault-profile.ts); also settable later
// through PUT /_sandbox/fault-profile.
const profileText = process.env.SANDBOX_FAULT_PROFILE?.trim() ?? '';
let profile: FaultProfileInput | undefined;
if (profileText !== '') {
  const parsed = (() => {
    try {
      return faultProfileSchema.safeParse(JSON.parse(profileText));
    } catch {
      return undefined;
    }
  })();
  if (!parsed?.success) {
    const issue = parsed?.error.issues[0];
    const why = issue ? `${issue.path.join('.') || 'profile'}: ${issue.message}` : 'not JSON';
    process.stderr.write(`SANDBOX_FAULT_PROFILE is not a fault profile (${why})\n`);
    process.exit(1);
  }
  profile = parsed.data;
}
const logger = createLogger({ level: 'warn' });
const sandbox = createMarketoSandbox({ seedLeads: leads, logger });
sandbox.setFaultProfile(profile);
const server = await sandbox.listen(port, '127.0.0.1');
process.stdout.write(
  `Marketo sandbox at ${server.url} with ${leads} demo leads (client id sandbox-client, ` +
    `secret sandbox-secret)${profile ? ', random faults on' : ''}. Ctrl-C stops it.\n`,
);
handleStopSignals({
  onStop: () => {
    void server.close().then(() => process.exit(0));
  },
});
