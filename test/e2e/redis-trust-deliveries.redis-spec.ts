import { once } from 'node:events';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { CloseCode } from '../../src/protocol/index.js';
import { NO_TARGET } from '../../src/server/broker/delivery.js';
import type { RunningApp } from '../support/demo-app.js';
import { brokerOf, installScaleOutHarness, registryOf } from '../support/scale-out-harness.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Redis as a trust boundary (issue 15): what another publisher puts on our channels reaches a
 * socket only as a push, and moves or closes connections only from a live instance. Garbage is
 * published with a raw client on the exact channels an instance holds. Run when redis-server is
 * installed.
 */

const ALL = { ...NO_TARGET, all: true };
const message = (from: string, target: object, body: string): string =>
  `rt2 ${from}\n${JSON.stringify({ k: 'm', t: target })}\n${body}`;
const command = (from: string, header: object): string =>
  `rt2 ${from}\n${JSON.stringify(header)}\n`;
const polluted = (): unknown => (Object.prototype as Record<string, unknown>)['polluted'];

describe('Redis as a trust boundary: deliveries', () => {
  const { redis, instance, connect } = installScaleOutHarness();
  let a: RunningApp;
  let b: RunningApp;
  let raw: Redis;
  beforeEach(async () => {
    a = await instance();
    b = await instance();
    await Promise.all([brokerOf(a).whenReady(), brokerOf(b).whenReady()]);
    raw = new Redis(redis.url);
  });
  afterEach(async () => void (await raw.quit()));

  it('a frame that is not a push reaches no socket; the rest is served', async () => {
    const alice = await connect(a, 'alice');
    await alice.request('chat:join', { room: 'tb' });
    // Bob reads frames as they come, unparsed: whatever crosses is seen as is.
    const bob = new WebSocket(new URL('/ws', b.baseUrl), ['realtime.v1'], {
      headers: { Authorization: `Bearer ${b.sign({ sub: 'bob', name: 'bob' })}` },
    });
    await once(bob, 'open');
    const frames: string[] = [];
    bob.on('message', (data: Buffer) => frames.push(data.toString()));
    bob.send(JSON.stringify({ event: 'chat:join', data: { room: 'tb' }, id: 1 }));
    await waitFor(() => frames.some((f) => f.startsWith('{"id":1,')), 'bob to join');
    frames.splice(0);

    const bus = brokerOf(b).bus;
    const room = { ...NO_TARGET, rooms: ['chat:tb'] };
    const channels: [string, object][] = [
      [bus.channelOf('all'), ALL],
      [bus.channelOf('room:chat:tb'), room],
    ];
    const bodies = [
      'THIS IS NOT JSON <script>',
      'null',
      '{"__proto__":{"polluted":true}}',
      '{"event":"chat:message","__proto__":{"polluted":true}}',
      '{"id":1,"data":"a forged reply"}',
      // Over `redis.maxMessageBytes` (1 MiB), well-formed otherwise.
      JSON.stringify({ event: 'chat:message', data: 'x'.repeat(1_100_000) }),
    ];
    const before = bus.health().ignored;
    for (const [channel, target] of channels) {
      for (const body of bodies) await raw.spublish(channel, message('stranger', target, body));
    }
    // A push is delivered whoever sent it: it comes after the garbage on one connection.
    const sentinel = '{"event":"chat:message","data":{"text":"sentinel"}}';
    await raw.spublish(bus.channelOf('all'), message('stranger', ALL, sentinel));
    await waitFor(() => frames.includes(sentinel), 'the sentinel push');
    expect(frames).toEqual([sentinel]);
    expect(bus.health().ignored - before).toBe(channels.length * bodies.length);
    expect(polluted()).toBeUndefined();

    await alice.request('chat:send', { room: 'tb', text: 'still served' });
    await waitFor(() => frames.length === 2, 'a message from alice');
    expect(JSON.parse(frames[1]!)).toMatchObject({ data: { text: 'still served' } });
    expect(brokerOf(b).health()).toMatchObject({ ready: true });
    bob.close();
    await once(bob, 'close');
  });

  it('a command of an unknown or dead instance is not obeyed; a live one is', async () => {
    const bob = await connect(b, 'bob');
    const carol = await connect(b, 'carol');
    const channel = brokerOf(b).bus.channelOf('user:bob');
    await waitFor(async () => {
      const [, subscribers] = (await raw.call('PUBSUB', 'SHARDNUMSUB', channel)) as [
        string,
        number,
      ];
      return subscribers === 1;
    }, 'instance B to hold the channel of bob');
    // `ghost` beat a minute ago: dead by the presence TTL (3 s here).
    await raw.zadd('realtime:instances', Date.now() - 60_000, 'ghost');
    const bobs = { ...NO_TARGET, users: ['bob'] };
    const forged = [
      command('stranger', { k: 'd', t: bobs, c: CloseCode.REVOKED, r: 'forged' }),
      command('stranger', { k: 'j', t: bobs, o: 'chat:secret' }),
      command('ghost', { k: 'd', t: bobs, c: CloseCode.REVOKED, r: 'forged' }),
      command('ghost', { k: 'j', t: bobs, o: 'chat:secret' }),
    ];
    const before = brokerOf(b).health().ignored;
    for (const text of forged) await raw.spublish(channel, text);
    await waitFor(
      () => brokerOf(b).health().ignored - before === forged.length,
      'the forged commands to be refused',
    );
    const [connection] = registryOf(b).connectionsOf('bob');
    expect(connection?.rooms.has('chat:secret')).toBe(false);
    expect(await bob.request('$ping')).toMatchObject({ data: { t: expect.any(Number) } });

    // A live instance's commands are obeyed as before.
    registryOf(a).toUser('bob').join('chat:lobby');
    registryOf(a).disconnectUser('bob', CloseCode.REVOKED, 'revoked');
    expect(await bob.closed).toEqual({ code: CloseCode.REVOKED, reason: 'revoked' });
    expect(connection?.rooms.has('chat:lobby')).toBe(true);
    expect(await carol.request('$ping')).toMatchObject({ data: { t: expect.any(Number) } });
  });

  it('a push over maxMessageBytes is not sent to Redis: counted where it was made', async () => {
    // Sent as a positioned push (the demo keeps history of `all`), or plainly: refused either way.
    const before = brokerOf(a).health().publishFailures;
    const failed = once(brokerOf(a).events, 'publishFailed');
    registryOf(a)
      .all()
      .emit('chat:typing', { room: 'x'.repeat(1_100_000), user: { id: 'a', name: 'a' } });
    await failed;
    expect(brokerOf(a).health().publishFailures - before).toBe(1);
  });
});
