import { Redis } from 'ioredis';
import type { RunningApp } from '../support/demo-app.js';
import { waitFor } from '../support/wait-for.js';
import { brokerOf, installScaleOutHarness, registryOf } from '../support/scale-out-harness.js';

/**
 * Interest routing on Redis sharded pub/sub (issue 13): four demo instances on one Redis, and
 * each hears only what its sockets need. A room whose members are all on one instance costs the
 * other three nothing (their `received` counters stay put); a direct message reaches only the
 * instance of its recipient; an instance subscribes to a room's channel with its first member and
 * unsubscribes after its last. Run by `npm test` when redis-server is installed.
 */

const received = (demo: RunningApp) => brokerOf(demo).health().received;

describe('scale-out on Redis: interest routing', () => {
  const { redis, instance, connect } = installScaleOutHarness();
  let apps: RunningApp[];
  let admin: Redis;

  beforeEach(async () => {
    apps = await Promise.all([instance(), instance(), instance(), instance()]);
    await Promise.all(apps.map((demo) => brokerOf(demo).whenReady()));
    admin = new Redis(redis.url);
  });
  afterEach(() => admin.quit());

  /** Subscribers of a channel, as Redis counts them. */
  const subscribers = async (channel: string): Promise<number> => {
    const reply = (await admin.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
    return reply[1];
  };

  it('a room local to one instance costs the other three no message; a spanning room reaches each once', async () => {
    const [a, b, c, d] = apps as [RunningApp, RunningApp, RunningApp, RunningApp];
    const alice = await connect(a, 'alice');
    const carol = await connect(a, 'carol');
    const others = await Promise.all([connect(b, 'bob'), connect(c, 'dave'), connect(d, 'erin')]);
    for (const s of [alice, carol]) await s.request('chat:join', { room: 'local' });
    for (const s of [alice, ...others]) await s.request('chat:join', { room: 'span' });
    const before = [b, c, d].map(received);

    for (let i = 0; i < 20; i++) await alice.request('chat:send', { room: 'local', text: `l${i}` });
    for (let i = 0; i < 20; i++) {
      expect((await carol.nextEvent('chat:message'))['data']).toMatchObject({ text: `l${i}` });
    }
    // A later message of the same publisher to a room they all hold: once each has it, each has
    // had its chance to hear the local room's twenty.
    await alice.request('chat:send', { room: 'span', text: 'everyone' });
    for (const s of others) {
      expect((await s.nextEvent('chat:message'))['data']).toMatchObject({ text: 'everyone' });
    }
    expect([b, c, d].map(received)).toEqual(before.map((n) => n + 1));
    for (const demo of apps) expect(brokerOf(demo).health().ignored).toBe(0);
  });

  it('a direct message reaches only the instance of its recipient', async () => {
    const [a, b, c, d] = apps as [RunningApp, RunningApp, RunningApp, RunningApp];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await Promise.all([connect(c, 'dave'), connect(d, 'erin')]);
    const before = apps.map(received);

    await alice.request('chat:direct', { to: 'bob', text: 'psst' });
    expect((await bob.nextEvent('chat:direct'))['data']).toMatchObject({ text: 'psst' });
    // Everyone hears the broadcast channel: once c and d have this, they had the chance above.
    registryOf(a)
      .all()
      .emit('chat:typing', { room: 'x', user: { id: 'x', name: 'x' } });
    await Promise.all(
      apps.slice(1).map((demo) => waitFor(() => received(demo) > before[apps.indexOf(demo)]!)),
    );
    expect(apps.map(received)).toEqual([before[0], before[1]! + 2, before[2]! + 1, before[3]! + 1]);
  });

  it('a send to a connection of another instance reaches that instance alone', async () => {
    const [a, b] = apps as [RunningApp, RunningApp];
    const bob = await connect(b, 'bob');
    await Promise.all([connect(a, 'alice'), connect(apps[2]!, 'dave'), connect(apps[3]!, 'erin')]);
    const [bobsConnection] = registryOf(b).connectionsOf('bob');
    const before = apps.map(received);

    registryOf(a)
      .toConnection(bobsConnection!.id)
      .emit('chat:typing', { room: 'r', user: { id: 'a', name: 'a' } });
    expect((await bob.nextEvent('chat:typing'))['data']).toMatchObject({ room: 'r' });
    registryOf(a)
      .all()
      .emit('chat:typing', { room: 'x', user: { id: 'x', name: 'x' } });
    await Promise.all(
      apps.slice(1).map((demo, i) => waitFor(() => received(demo) > before[i + 1]!)),
    );
    expect(apps.map(received)).toEqual([before[0], before[1]! + 2, before[2]! + 1, before[3]! + 1]);
  });

  it('an instance holds a room channel from its first local member to its last', async () => {
    const [, b] = apps as [RunningApp, RunningApp];
    const channel = 'realtime:room:chat:ops';
    const bob = await connect(b, 'bob');
    const bea = await connect(b, 'bea');
    expect(await subscribers(channel)).toBe(0);
    await bob.request('chat:join', { room: 'ops' });
    // The join was answered once the subscription was confirmed.
    expect(await subscribers(channel)).toBe(1);
    await bea.request('chat:join', { room: 'ops' });
    expect(await subscribers(channel)).toBe(1);
    await bob.request('chat:leave', { room: 'ops' });
    expect(await subscribers(channel)).toBe(1);
    await bea.close();
    await waitFor(async () => (await subscribers(channel)) === 0);
    // `all`, the instance's connections (`origin:`) and bob's user channel.
    expect(brokerOf(b).bus.subscriptionCount).toBe(3);
  });
});
