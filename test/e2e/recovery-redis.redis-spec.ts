import { setInterval } from 'node:timers/promises';
import { RealtimeBroker, type RedisBroker } from '../../src/server/index.js';
import { range } from '../support/recovery-app.js';
import { useRedisRecovery } from '../support/recovery-redis.js';

/**
 * Recovery with history and sessions in Redis (reliability F1, F3, F7, F9), over real sockets
 * and a private redis-server: a client resumes on any instance.
 */

const { instances, connect, cut, aliceAway, track, ...kit } = useRedisRecovery();

describe('recovery on Redis', () => {
  it('F1: cut off while its room publishes 200 from both instances, resumed on the other one', async () => {
    const [a, b] = await instances(2);
    const alice = await connect(a!, 'alice');
    await alice.join('r1');
    const other = await connect(b!, 'bob');
    await other.join('r1');
    a!.registry().to('r1').emit('msg', { n: 1 });
    await alice.take('msg', 1);
    await cut(a!, alice);
    for (const n of range(2, 201)) [a!, b!][n % 2]!.registry().to('r1').emit('msg', { n });
    // Two publishers: the stream's order (its offsets) is the one every member sees.
    const order = (await other.take('msg', 201)).slice(1);
    expect([...order].sort((x, y) => x - y)).toEqual(range(2, 201));

    const { client, reply } = await alice.reconnect(b!.url);
    track(client);
    expect(reply).toMatchObject({
      recovered: true,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: true, o: 201, replayed: 200 } },
    });
    a!.registry().to('r1').emit('msg', { n: 202 });
    expect(await client.take('msg', 201)).toEqual([...order, 202]);
  });

  it('F1: away for 3 s while both instances publish to its room, then everything once, in order', async () => {
    const [a, b] = await instances(2);
    const alice = await connect(a!, 'alice');
    await alice.join('r1');
    const other = await connect(b!, 'bob');
    await other.join('r1');
    a!.registry().to('r1').emit('msg', { n: 1 });
    await alice.take('msg', 1);
    await cut(a!, alice);
    const away = Date.now();
    // A steady publisher, a push every 10 ms from either instance, that stops after 3 s.
    let sent = 1;
    const ticks = setInterval(10);
    while (Date.now() - away < 3000) {
      await ticks.next();
      [a!, b!][++sent % 2]!.registry().to('r1').emit('msg', { n: sent });
    }
    await ticks.return?.();
    const order = (await other.take('msg', sent)).slice(1);
    expect([...order].sort((x, y) => x - y)).toEqual(range(2, sent));
    expect(order.length).toBeGreaterThan(50);

    const { client, reply } = await alice.reconnect(b!.url);
    track(client);
    expect(Date.now() - away).toBeGreaterThanOrEqual(3000);
    expect(reply).toMatchObject({
      recovered: true,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: true, o: sent, replayed: sent - 1 } },
    });
    a!
      .registry()
      .to('r1')
      .emit('msg', { n: sent + 1 });
    expect(await client.take('msg', sent)).toEqual([...order, sent + 1]);
    // Nothing after the live push: each missed push came exactly once.
    await client.socket.request('$ping');
    expect(client.arrivals.at(-1)).toBe('reply:2');
    expect(client.arrivals.filter((x) => x.startsWith('push:'))).toHaveLength(sent);
  }, 20_000);

  it('F7: 3 sockets of a user on 2 instances, a room on both: 1 000 pushes once each, one order', async () => {
    const [a, b] = await instances(2);
    const u = [await connect(a!, 'u'), await connect(a!, 'u'), await connect(b!, 'u')];
    const member = await connect(b!, 'v');
    const outsider = await connect(b!, 'w');
    for (const client of [u[0]!, u[2]!, member]) await client.join('room');
    for (const n of range(1, 1000)) {
      [a!, b!][n % 2]!.registry().to('room').toUser('u').emit('msg', { n });
    }
    const got = await Promise.all([...u, member].map((c) => c.take('msg', 1000)));
    for (const list of got) expect([...list].sort((x, y) => x - y)).toEqual(range(1, 1000));
    // One order per stream, the same on both instances: the room's members, and the user's
    // socket outside the room (its own stream).
    expect(got[2]).toEqual(got[0]);
    expect(got[3]).toEqual(got[0]);
    expect(u[1]!.positions).toEqual({ 'user:u': { e: expect.any(String), o: 1000 } });
    expect(u[2]!.positions).toEqual({ 'room:room': { e: expect.any(String), o: 1000 } });
    await outsider.socket.request('$ping');
    expect(outsider.arrivals).toEqual(['reply:1', 'reply:2']);
  });

  it('F3c: FLUSHALL loses history and sessions: no_session, nothing replayed', async () => {
    const [a] = await instances(1);
    const alice = await aliceAway(a!);
    a!.registry().to('r1').emit('msg', { n: 2 });
    await kit.admin().flushall();
    const { client, reply } = await alice.reconnect(a!.url);
    track(client);
    expect(reply).toMatchObject({ recovered: false, reason: 'no_session', rooms: [] });
    expect(client.arrivals).toEqual(['reply:1']);
  });

  it('F3: Redis restarted (empty): no_session, nothing replayed, and live traffic again', async () => {
    const [a] = await instances(1);
    const alice = await aliceAway(a!);
    const broker = a!.app.get(RealtimeBroker) as RedisBroker;
    await kit.redis().kill();
    await kit.redis().restart();
    await broker.whenReady();
    const { client, reply } = await alice.reconnect(a!.url);
    track(client);
    expect(reply).toMatchObject({ recovered: false, reason: 'no_session', rooms: [] });
    expect(client.arrivals).toEqual(['reply:1']);
    await client.join('r1');
    a!.registry().to('r1').emit('msg', { n: 2 });
    expect(await client.socket.nextEvent('msg')).toMatchObject({ o: 1, data: { n: 2 } });
  });

  it('F3c: history lost but the session kept is epoch_changed, with nothing replayed', async () => {
    const [a] = await instances(1);
    const alice = await aliceAway(a!);
    const streamKeys = await kit.historyKeys();
    expect(streamKeys.length).toBeGreaterThan(0);
    await kit.admin().del(...streamKeys);
    a!.registry().to('r1').emit('msg', { n: 2 });
    const { client, reply } = await alice.reconnect(a!.url);
    track(client);
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: false, reason: 'epoch_changed', o: 1 } },
    });
    expect(client.arrivals).toEqual(['reply:1']);
  });

  it('F9: a latest-value stream resumes with the newest push of each key', async () => {
    const [a, b] = await instances(2);
    const alice = await connect(a!, 'alice');
    await alice.join('ticker:all');
    await cut(a!, alice);
    for (const n of range(1, 20)) {
      for (const symbol of ['AAA', 'BBB']) {
        b!.registry().to('ticker:all').emit('tick', { symbol, n }, { key: symbol });
      }
    }
    const { client, reply } = await alice.reconnect(a!.url);
    track(client);
    expect(reply).toMatchObject({
      recovered: true,
      streams: { 'room:ticker:all': { recovered: true, o: 40, replayed: 2 } },
    });
    const ticks = [await client.socket.nextEvent('tick'), await client.socket.nextEvent('tick')];
    expect(ticks.map((m) => [m['o'], m['data']])).toEqual([
      [39, { symbol: 'AAA', n: 20 }],
      [40, { symbol: 'BBB', n: 20 }],
    ]);
  });
});
