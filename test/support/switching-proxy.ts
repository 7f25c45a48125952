import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy standing for a load balancer in front of several instances: new connections go to
 * the current target, and `switchTo()` sends the next ones elsewhere (as a rolling deploy takes
 * an instance out of rotation). Open connections are left alone.
 */
export class SwitchingProxy {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private target: number,
  ) {}

  /** Listens on a free loopback port, forwarding to `targetPort`. */
  static async start(targetPort: number): Promise<SwitchingProxy> {
    const server = createServer();
    const proxy = new SwitchingProxy(server, targetPort);
    server.on('connection', (client) => proxy.forward(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  switchTo(targetPort: number): void {
    this.target = targetPort;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket): void {
    const upstream = connect(this.target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
