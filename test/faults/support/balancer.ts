import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Balancer {
  url: string;
  /** connections handed to each backend port so far */
  served: Map<number, number>;
  close(): Promise<void>;
}

/**
 * A TCP load balancer on a free loopback port, as a lab would reach several API replicas: each new
 * connection goes to the next backend in turn, or to the one after when that one refuses. A killed
 * backend resets the connections it held, as behind a real balancer.
 */
export async function startBalancer(backendPorts: readonly number[]): Promise<Balancer> {
  let next = 0;
  const served = new Map<number, number>();
  const open = new Set<Socket>();
  const pipeTo = (client: Socket, tries: number) => {
    const port = backendPorts[next++ % backendPorts.length] as number;
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      served.set(port, (served.get(port) ?? 0) + 1);
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (!connected && tries + 1 < backendPorts.length * 2) return pipeTo(client, tries + 1);
      client.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => undefined);
    pipeTo(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
