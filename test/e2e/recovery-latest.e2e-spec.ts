import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { range, ResumingClient, startRecoveryApp } from '../support/recovery-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Latest-value streams (reliability F9): a resume after any gap and a slow consumer get the
 * newest push of each key instead of the backlog, and nobody is closed for it.
 */

let server: RunningRealtimeApp;
const clients: ResumingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.socket.close()));
  await server?.close();
});

const LATEST = { streams: [{ match: 'room:ticker:*', conflate: true, size: 100 }] };
const SYMBOLS = ['AAA', 'BBB', 'CCC'];

async function subscriber(sub = 'alice'): Promise<ResumingClient> {
  const client = await ResumingClient.connect(server.url, sub);
  clients.push(client);
  await client.resume();
  await client.join('ticker:all');
  return client;
}

/** Pushes round `n` of prices: one push per symbol, keyed by the symbol. */
function tick(n: number, pad = ''): void {
  for (const symbol of SYMBOLS) {
    server.registry().to('ticker:all').emit('tick', { symbol, n, pad }, { key: symbol });
  }
}

describe('latest-value streams', () => {
  it('F9: a resume after 10x the kept keys gets the newest push of each key, recovered', async () => {
    server = await startRecoveryApp({ streams: [{ ...LATEST.streams[0]!, size: 3 }] });
    const alice = await subscriber();
    tick(1);
    await alice.take('tick', 3);
    alice.socket.ws.terminate();
    await waitFor(() => server.registry().size === 0, 'the close');
    for (const n of range(2, 31)) tick(n);

    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: true,
      streams: { 'room:ticker:all': { recovered: true, o: 93, replayed: 3 } },
    });
    const replayed = [];
    for (let i = 0; i < 3; i++) replayed.push(await client.socket.nextEvent('tick'));
    expect(replayed.map((m) => [(m['data'] as { symbol: string }).symbol, m['o']])).toEqual([
      ['AAA', 91],
      ['BBB', 92],
      ['CCC', 93],
    ]);
    expect(replayed.every((m) => (m['data'] as { n: number }).n === 31)).toBe(true);
  });

  it('F9: a slow consumer gets the newest price of each symbol, not the backlog, and stays open', async () => {
    const LIMIT = 64 * 1024;
    server = await startRecoveryApp(LATEST, { limits: { bufferedBytes: LIMIT } });
    const slow = await subscriber('slow');
    const [connection] = server.registry().connectionsOf('slow');
    slow.socket.ws.pause();
    const pad = 'x'.repeat(16 * 1024);
    let n = 0;
    // Fill its outbound buffer over the limit, then keep publishing: those wait, newest only.
    while (connection!.socket.bufferedAmount <= LIMIT) tick(++n, pad);
    const over = n;
    for (let i = 0; i < 200; i++) tick(++n, pad);
    const last = n;
    slow.socket.ws.resume();
    const newest = new Map<string, number>();
    let received = 0;
    while (SYMBOLS.some((s) => newest.get(s) !== last)) {
      const m = await slow.socket.nextEvent('tick');
      const data = m['data'] as { symbol: string; n: number };
      expect(data.n).toBeGreaterThanOrEqual(newest.get(data.symbol) ?? 0);
      newest.set(data.symbol, data.n);
      received++;
    }
    // The backlog of 200 rounds was not sent: each symbol's newest came instead.
    expect(received).toBeLessThan(over * 3 + 3 * 3);
    expect(slow.socket.ws.readyState).toBe(slow.socket.ws.OPEN);
    expect(await slow.socket.request('$ping')).toHaveProperty('data');
  });
});
