import type { INestApplication, Type } from '@nestjs/common';
import { sign } from '../support/messages-harness.js';
import { waitFor } from '../support/wait-for.js';
import { startProbeApp } from '../support/probe-app.js';
import { TestSocket } from '../support/ws-client.js';
import {
  connectionListener,
  HandleConnectionWiring,
  HookOnlyGateway,
  ListenerWiring,
  OnCloseWiring,
  PlainWiring,
  seen,
} from '../support/wiring-app.js';

/**
 * Nest wires every connection of every gateway (its `handleConnection` subscription, a bound
 * callback per handler, a disconnect callback). When no gateway of a path needs that, the
 * path's connections share one handler map instead; a hook, an enhancer or a `connection`
 * listener of the app's puts them back on Nest's wiring, with the same replies.
 */
describe("Nest's per-connection wiring", () => {
  const apps: INestApplication[] = [];
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  async function start(...gateways: Type[]): Promise<{ app: INestApplication; url: string }> {
    const { app, baseUrl } = await startProbeApp({}, gateways);
    apps.push(app);
    return { app, url: baseUrl };
  }

  async function connect(url: string, user: string, path = '/ws'): Promise<TestSocket> {
    const socket = await TestSocket.connect(url, { token: sign(user), path });
    sockets.push(socket);
    return socket;
  }

  /** The handler map index of each socket, and that its echo works. */
  async function mapsOf(...list: TestSocket[]): Promise<unknown[]> {
    const indexes: unknown[] = [];
    for (const socket of list) {
      expect((await socket.request('wiring:echo', { n: 1 }))['data']).toEqual({ n: 1 });
      indexes.push((await socket.request('wiring:map'))['data']);
    }
    return indexes;
  }

  it('is skipped when nobody needs it: the connections share their handlers', async () => {
    const { url } = await start(PlainWiring);
    const [a, b] = await mapsOf(await connect(url, 'u-a'), await connect(url, 'u-b'));
    expect(typeof a).toBe('number');
    expect(b).toBe(a);
  });

  it('runs for a gateway with handleConnection, which sees every connection', async () => {
    const { url } = await start(HandleConnectionWiring);
    seen.handleConnection.length = 0;
    const [a, b] = await mapsOf(await connect(url, 'u-a'), await connect(url, 'u-b'));
    expect(b).not.toBe(a);
    expect(seen.handleConnection).toEqual(['u-a', 'u-b']);
  });

  it('runs for a gateway with onConnectionClose, which hears every close', async () => {
    const { url } = await start(OnCloseWiring);
    const [a, b] = await mapsOf(await connect(url, 'u-a'), await connect(url, 'u-b'));
    expect(b).not.toBe(a);
    seen.closed.length = 0;
    await Promise.all(sockets.splice(0).map((s) => s.close(1000)));
    await waitFor(() => seen.closed.length === 2, 'both closes heard');
    expect(seen.closed).toEqual([1000, 1000]);
  });

  it('runs when another gateway of the path has a hook and no handler', async () => {
    const { url } = await start(PlainWiring, HookOnlyGateway);
    seen.handleConnection.length = 0;
    const [a, b] = await mapsOf(await connect(url, 'u-a'), await connect(url, 'u-b'));
    expect(b).not.toBe(a);
    expect(seen.handleConnection).toEqual(['hook-only u-a', 'hook-only u-b']);
  });

  it("runs when the app listens to the ws server's connection event", async () => {
    const { url } = await start(ListenerWiring);
    seen.listener.length = 0;
    const [a, b] = await mapsOf(await connect(url, 'u-a'), await connect(url, 'u-b'));
    expect(b).not.toBe(a);
    expect(seen.listener).toEqual(['u-a /ws', 'u-b /ws']);
  });

  it('runs from the moment a connection listener is added, for the connections after', async () => {
    const { app, url } = await start(PlainWiring);
    const [first] = await mapsOf(await connect(url, 'u-a'));
    seen.listener.length = 0;
    app.get(PlainWiring).server.on('connection', connectionListener);
    const [second] = await mapsOf(await connect(url, 'u-b'));
    expect(second).not.toBe(first);
    expect(seen.listener).toEqual(['u-b /ws']);
  });
});
