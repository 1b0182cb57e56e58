import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The flow-step callback receiver of the soak, standing in for Marketo's callback endpoint:
 * every invocation's callbackUrl points here with its token in the path
 * (`/callback/<token>`), and the receiver counts each arrival and its time, so the soak can
 * tell a callback sent twice and whether a kill fell between the two.
 */
export interface CallbackReceiver {
  /** `host:port`, for SSFS_CALLBACK_HOSTS (trusted as written: http on loopback). */
  host: string;
  urlFor(token: string): string;
  /** Arrival times (ms) by invocation token. */
  arrivals(): Map<string, number[]>;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const arrivals = new Map<string, number[]>();
  const server = createServer((req, res) => {
    const match = /^\/callback\/([\w-]+)$/.exec(req.url ?? '');
    req.resume();
    req.on('end', () => {
      if (req.method !== 'POST' || !match) {
        res.writeHead(404).end();
        return;
      }
      const token = match[1]!;
      arrivals.set(token, [...(arrivals.get(token) ?? []), Date.now()]);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    host,
    urlFor: (token) => `http://${host}/callback/${token}`,
    arrivals: () => new Map([...arrivals].map(([token, times]) => [token, times.slice()])),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
