/**
 * The sync benchmark's sandbox process (sync-sandbox.ts forks it): one Marketo sandbox on a
 * loopback port, answering the parent's questions over the IPC channel.
 */
import { createShiftedClock } from '../src/deps.js';
import { createMarketoSandbox } from '../src/sandbox/index.js';
import type { SandboxServer } from '../src/sandbox/sandbox-types.js';
import { applyChanges, sandboxOptions, type SyncSandboxOptions } from './sync-sandbox.js';

let sandbox: ReturnType<typeof createMarketoSandbox> | undefined;
let server: SandboxServer | undefined;
let clock: ReturnType<typeof createShiftedClock> | undefined;

const ops: Record<string, (...args: never[]) => unknown> = {
  start: async (options: SyncSandboxOptions) => {
    clock = createShiftedClock(-options.clockBackMs);
    sandbox = createMarketoSandbox({ clock, ...sandboxOptions(options) });
    server = await sandbox.listen(0, '127.0.0.1');
    return server.url;
  },
  stats: () => sandbox!.stats(),
  resetStats: () => sandbox!.resetStats(),
  change: (count: number, spanMs: number) => applyChanges(sandbox!, clock!, count, spanMs),
  close: async () => {
    await server?.close();
  },
};

process.on('message', (message: { id: number; op: string; args: never[] }) => {
  void (async () => {
    try {
      const result = await ops[message.op]!(...message.args);
      process.send!({ id: message.id, result });
    } catch (error) {
      process.send!({
        id: message.id,
        error: error instanceof Error ? error.stack : String(error),
      });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
