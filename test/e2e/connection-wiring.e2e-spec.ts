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

  beforeEach(() => {
    for (const list of Object.values(seen)) list.length = 0;
  });

  async function start(...gateways: Type[]): Promise<{ app: INestApplication; url: string }> {
    const { app, baseUrl } = await startProbeApp({}, gateways);
    apps.push(app);
    return { app, url: baseUrl };
  }

  /** The handler map index of a new connection of `user`, once its echo works. */
  async function mapOf(url: string, user: string): Promise<unknown> {
    const socket = await TestSocket.connect(url, { token: sign(user) });
    sockets.push(socket);
    expect((await socket.request('wiring:echo', { n: 1 }))['data']).toEqual({ n: 1 });
    return (await socket.request('wiring:map'))['data'];
  }

  /** Two connections (u-a, u-b) to an app of these gateways: their handler map indexes. */
  async function twoConnections(...gateways: Type[]): Promise<unknown[]> {
    const { url } = await start(...gateways);
    return [await mapOf(url, 'u-a'), await mapOf(url, 'u-b')];
  }

  it('is skipped when nobody needs it: the connections share their handlers', async () => {
    const [a, b] = await twoConnections(PlainWiring);
    expect(typeof a).toBe('number');
    expect(b).toBe(a);
  });

  it('runs for a gateway with handleConnection, which sees every connection', async () => {
    const [a, b] = await twoConnections(HandleConnectionWiring);
    expect(b).not.toBe(a);
    expect(seen.handleConnection).toEqual(['u-a', 'u-b']);
  });

  it('runs for a gateway with onConnectionClose, which hears every close', async () => {
    const [a, b] = await twoConnections(OnCloseWiring);
    expect(b).not.toBe(a);
    await Promise.all(sockets.splice(0).map((s) => s.close(1000)));
    await waitFor(() => seen.closed.length === 2, 'both closes heard');
    expect(seen.closed).toEqual([1000, 1000]);
  });

  it('runs when another gateway of the path has a hook and no handler', async () => {
    const [a, b] = await twoConnections(PlainWiring, HookOnlyGateway);
    expect(b).not.toBe(a);
    expect(seen.handleConnection).toEqual(['hook-only u-a', 'hook-only u-b']);
  });

  it("runs when the app listens to the ws server's connection event", async () => {
    const [a, b] = await twoConnections(ListenerWiring);
    expect(b).not.toBe(a);
    expect(seen.listener).toEqual(['u-a /ws', 'u-b /ws']);
  });

  it('runs from the moment a connection listener is added, for the connections after', async () => {
    const { app, url } = await start(PlainWiring);
    const first = await mapOf(url, 'u-a');
    app.get(PlainWiring).server.on('connection', connectionListener);
    const second = await mapOf(url, 'u-b');
    expect(second).not.toBe(first);
    expect(seen.listener).toEqual(['u-b /ws']);
  });
});
