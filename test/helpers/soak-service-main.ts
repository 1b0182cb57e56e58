import { loadConfig } from '../../src/config.js';
import { listen } from '../../src/http/listen.js';
import { createService } from '../../src/service.js';

/**
 * The service as src/main.ts runs it (same config, same createService, listen, start), for the
 * soak: the one difference is a clock SOAK_CLOCK_OFFSET_MS ahead of the machine's. The soak's
 * drain restarts the service "later" with it, standing in for the waits a real restart would
 * sit out in real time: an outbox lease of a killed process (120 s) and the settling of a
 * meeting activity whose send may have run (120 s). No signal handling: the soak stops it with
 * SIGKILL (a crash) or SIGTERM (here: exit at once, the store having flushed every write).
 */
const offsetMs = Number(process.env.SOAK_CLOCK_OFFSET_MS ?? '0');
const clock = { now: () => Date.now() + offsetMs };
const config = loadConfig(process.env);
const service = await createService(config, { clock });
const { server, port } = await listen(service.app, { port: config.port, host: config.host });
service.logger.info({ port, offsetMs }, `listening on http://localhost:${port}`);
service.start();
process.once('SIGTERM', () => {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  void service.stop(closed).then(() => process.exit(0));
});
