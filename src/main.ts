import dotenv from 'dotenv';
import { ConfigError, loadConfig, type Config } from './config.js';
import { AppError } from './errors.js';
import { listen } from './http/listen.js';
import { createService } from './service.js';
import { handleStopSignals } from './stop-signals.js';

/** The process: environment, listening and signals. The service itself is src/service.ts. */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${error.message}\nFix these in the environment or in .env (see .env.example).\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  // A store of another instance, a locked data file, an unreachable dependency: say which, exit 1.
  const service = await createService(config).catch((error: unknown) => {
    if (error instanceof AppError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  });
  const { app, logger } = service;
  const { server, port } = await listen(app, { port: config.port, host: config.host });
  logger.info(
    { port, mode: service.sandbox ? 'sandbox' : 'marketo' },
    `listening on http://localhost:${port}`,
  );
  service.start();

  // Bounded: in-flight requests get a few seconds to finish, then open connections are cut, so
  // a stop ends well inside the 10 s that process managers (and npm) wait before SIGKILL.
  const serverClosed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  handleStopSignals({
    say: (message) => logger.warn(message),
    onStop: (signal) =>
      void (async () => {
        logger.info({ signal }, 'shutting down: no new work, checkpointing the sync');
        server.close();
        server.closeIdleConnections();
        const cutConnections = setTimeout(() => server.closeAllConnections(), 5_000);
        cutConnections.unref();
        await service.stop(serverClosed);
        logger.info('stopped');
        process.exit(0);
      })(),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
