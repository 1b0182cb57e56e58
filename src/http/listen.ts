import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** How long a client may take, so a slow or stalled one cannot hold a connection for ever. */
export interface ListenLimits {
  /** The whole request, headers and body, must arrive within this (answered 408 after). */
  requestTimeoutMs: number;
  /** The headers must arrive within this. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above (its default, 30 s, would let them slip). */
  checkEveryMs: number;
}

/**
 * Marketo waits 30 s for a webhook's answer (marketo-facts.md) and the widget's calls are small:
 * a request still arriving after 30 s is a stalled or hostile client.
 */
export const LISTEN_LIMITS: ListenLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  checkEveryMs: 1_000,
};

/** Serves the app on `port` and `host`, resolving once it listens, with the port it got. */
export async function listen(
  app: Express,
  options: { port: number; host?: string | undefined; limits?: ListenLimits },
): Promise<{ server: Server; port: number }> {
  const limits = options.limits ?? LISTEN_LIMITS;
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(options.port, options.host);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
