import { AppModule } from '../../src/demo/app.module.js';
import { startRealtimeApp, type RunningRealtimeApp } from '../../src/testing/index.js';
import { config } from '../support/client-harness.js';
import { ResumingClient } from '../support/recovery-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The demo's ticker on latest-value streams: a subscriber back from a gap gets each symbol's
 * newest price at once, not the ticks it missed.
 */

let server: RunningRealtimeApp;
const clients: ResumingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.socket.close()));
  await server?.close();
});

async function subscriber(sub: string): Promise<ResumingClient> {
  const client = await ResumingClient.connect(server.url, sub);
  clients.push(client);
  await client.resume();
  await client.socket.request('ticker:subscribe', { symbols: ['ACME'] });
  return client;
}

describe('ticker recovery', () => {
  it('resumes with the newest price of each symbol, recovered, whatever the gap', async () => {
    server = await startRealtimeApp(AppModule.forRoot({ ...config, tickerIntervalMs: 20 }));
    const alice = await subscriber('alice');
    const bob = await subscriber('bob'); // keeps the symbol's stream running
    const first = await alice.socket.nextEvent('ticker:tick');
    expect(first).toMatchObject({ s: 'room:ticker:ACME', data: { symbol: 'ACME' } });
    alice.socket.ws.terminate();
    await waitFor(() => server.registry().connectionsOf('alice').length === 0, 'the close');
    for (let i = 0; i < 5; i++) await bob.socket.nextEvent('ticker:tick');

    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: true,
      rooms: ['ticker:ACME'],
      streams: { 'room:ticker:ACME': { recovered: true, replayed: 1 } },
    });
    // The one replayed tick is the newest at the time of the reply.
    const newest = await client.socket.nextEvent('ticker:tick');
    const top = (reply['streams'] as Record<string, { o: number }>)['room:ticker:ACME']!.o;
    expect(newest['o']).toBe(top);
    expect(client.arrivals.indexOf('reply:1')).toBe(1);
  });

  it('a sole subscriber that resumes gets ticks again (onConnectionResume follows its symbols)', async () => {
    server = await startRealtimeApp(AppModule.forRoot({ ...config, tickerIntervalMs: 20 }));
    const alice = await subscriber('alice');
    await alice.socket.nextEvent('ticker:tick');
    alice.socket.ws.terminate();
    await waitFor(() => server.registry().connectionsOf('alice').length === 0, 'the close');
    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({ recovered: true, rooms: ['ticker:ACME'] });
    const top = (reply['streams'] as Record<string, { o: number }>)['room:ticker:ACME']!.o;
    // Without the hook the symbol's walk stopped with its last subscriber: nothing would come.
    await waitFor(() => (client.positions['room:ticker:ACME']?.o ?? 0) > top, 'a new tick');
  });
});
