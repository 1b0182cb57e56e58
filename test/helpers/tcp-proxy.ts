import net from 'node:net';

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  /** Connections accepted and forwarded so far (refused ones not counted). */
  connections(): number;
  /**
   * The far end goes away: every open connection is cut (both sides) and new ones are reset as
   * soon as they arrive, so a client sees ECONNRESET at once, as from a database that is down.
   * Resolves once every open socket is closed.
   */
  pause(): Promise<void>;
  /**
   * The far end stops answering without a reset (a network partition, a hung server): open
   * connections carry nothing more either way, and new ones are accepted and left waiting.
   */
  stall(): void;
  /**
   * New connections are forwarded again. Those cut by pause() stay cut; those stalled are cut
   * now, as a partition's connections end once it heals (the server has long dropped them).
   */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 forwarding to `target`, which a test can cut and restore, to put a
 * dependency (PostgreSQL) out of reach of the service and back without touching the server
 * itself. It keeps listening while paused (a reset, not a refused connect): the port stays ours,
 * so resume() never races another process for it.
 */
export async function createTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let paused = false;
  let stalled = false;
  let forwarded = 0;
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    // A cut connection errors on both sides: expected here, the client sees its own error.
    socket.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    if (paused) {
      client.resetAndDestroy();
      return;
    }
    track(client);
    if (stalled) return; // accepted, never answered
    forwarded += 1;
    const upstream = net.connect(target.port, target.host ?? '127.0.0.1');
    track(upstream);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  const cutAll = async () => {
    const closing = [...open].map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    for (const socket of open) socket.resetAndDestroy();
    await Promise.all(closing);
  };

  return {
    port,
    connections: () => forwarded,
    async pause() {
      paused = true;
      await cutAll();
    },
    stall() {
      stalled = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    async resume() {
      if (stalled) await cutAll();
      paused = false;
      stalled = false;
    },
    async close() {
      paused = true;
      await cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
