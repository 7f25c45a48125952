import { setTimeout as delay } from 'node:timers/promises';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import { RedisCluster } from './redis-cluster.js';

/**
 * The Redis Cluster test harness (redis-cluster.ts) on a real cluster, and what ioredis's sharded
 * pub/sub does across the faults it injects. Run by `npm test` when redis-server is installed.
 */

const DEADLINE_MS = 20_000;
const SLOTS = 16384;

/** Polls `probe` until it returns something, or throws after the deadline. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Gave up after ${DEADLINE_MS} ms on ${what}.`);
    await delay(50);
  }
}

/** For each master's port, a name `${prefix}:<n>` whose slot it serves. */
async function onePerMaster(cluster: RedisCluster, prefix: string): Promise<Map<number, string>> {
  const masters = cluster.nodes.filter((n) => n.role === 'master' && n.pid).length;
  const names = new Map<number, string>();
  for (let n = 0; names.size < masters; n++) {
    const { port } = await cluster.masterOf(`${prefix}:${n}`);
    if (!names.has(port)) names.set(port, `${prefix}:${n}`);
  }
  return names;
}

/** The messages a sharded subscriber received, in order. */
class Inbox {
  readonly received: { channel: string; message: string }[] = [];

  constructor(subscriber: Cluster) {
    subscriber.on('smessage', (channel: string, message: string) => {
      this.received.push({ channel, message });
    });
  }

  find(channel: string, prefix: string): string | undefined {
    return this.received.find((r) => r.channel === channel && r.message.startsWith(prefix))
      ?.message;
  }
}

describe('RedisCluster (test harness)', () => {
  let cluster: RedisCluster;
  const clients: (Cluster | Redis)[] = [];

  const client = (options: ClusterOptions = {}) => {
    const created = new Cluster(cluster.seeds, options);
    // During a failover a sharded subscriber emits 'error' for each failed reconnection.
    created.on('error', () => undefined);
    clients.push(created);
    return created;
  };
  const subscriber = async (channels: Iterable<string>, options: ClusterOptions = {}) => {
    const sub = client({ ...options, shardedSubscribers: true });
    const inbox = new Inbox(sub);
    for (const channel of channels) await sub.ssubscribe(channel);
    return inbox;
  };
  /** Publishes `${label}-<n>` on `channel` until the subscriber gets one; returns it. */
  const publishUntilReceived = (inbox: Inbox, channel: string, label: string) => {
    const pub = client();
    let n = 0;
    return eventually(`a "${label}" message on ${channel}`, async () => {
      await pub.spublish(channel, `${label}-${++n}`);
      return inbox.find(channel, label);
    });
  };

  afterEach(() => clients.splice(0).forEach((c) => c.disconnect()));

  describe('a started cluster', () => {
    beforeAll(async () => {
      cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1 });
    }, 2 * DEADLINE_MS);
    afterAll(() => cluster?.stop());

    it('has 3 masters with one replica each, all 16384 slots served, every node running', async () => {
      const masters = cluster.nodes.filter((n) => n.role === 'master');
      const replicas = cluster.nodes.filter((n) => n.role === 'replica');
      expect(masters).toHaveLength(3);
      expect(replicas.map((r) => r.masterPort).sort()).toEqual(masters.map((m) => m.port).sort());
      const served = masters.flatMap((m) => m.slots).reduce((sum, [a, b]) => sum + b - a + 1, 0);
      expect(served).toBe(SLOTS);
      expect(cluster.seeds.sort()).toEqual(masters.map((m) => m.url).sort());
      expect(new Set(cluster.nodes.map((n) => n.pid)).size).toBe(6);
      expect(cluster.nodes.every((n) => n.pid !== undefined)).toBe(true);
      expect((await cluster.masterOf(0)).role).toBe('master');
      expect((await cluster.masterOf(SLOTS - 1)).role).toBe('master');
    });

    it('ioredis Cluster writes and reads keys that land on each of the three masters', async () => {
      const keys = await onePerMaster(cluster, 'key');
      expect(keys.size).toBe(3);
      const redis = client();
      for (const key of keys.values()) await redis.set(key, `value of ${key}`);
      for (const [port, key] of keys) {
        expect(await redis.get(key)).toBe(`value of ${key}`);
        const master = new Redis({ port, host: '127.0.0.1' });
        clients.push(master);
        expect(await master.get(key)).toBe(`value of ${key}`); // no MOVED: it lives there
      }
    });

    it('sharded pub/sub through ioredis delivers on channels served by each master', async () => {
      const channels = await onePerMaster(cluster, 'news');
      const inbox = await subscriber(channels.values());
      const pub = client();
      for (const channel of channels.values()) {
        expect(await pub.spublish(channel, `hello ${channel}`)).toBe(1);
      }
      for (const channel of channels.values()) {
        expect(await eventually(channel, async () => inbox.find(channel, 'hello'))).toBe(
          `hello ${channel}`,
        );
      }
    });

    it('stop() kills every node and can be called twice', async () => {
      const own = await RedisCluster.start({ masters: 3, replicasPerMaster: 0 });
      const pids = own.nodes.map((n) => n.pid!);
      await Promise.all([own.stop(), own.stop()]);
      await own.stop();
      expect(own.nodes.every((n) => n.pid === undefined)).toBe(true);
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    });
  });

  describe('faults', () => {
    beforeAll(async () => {
      cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1 });
    }, 2 * DEADLINE_MS);
    afterAll(() => cluster?.stop());

    it(
      'a killed master: its replica takes over, ioredis resubscribes by itself, and the old master ' +
        'restarted rejoins as a replica of its successor',
      async () => {
        const channels = await onePerMaster(cluster, 'alerts');
        const inbox = await subscriber(channels.values());
        const [victim, channel] = [...channels][0]!;
        const replica = cluster.nodes.find((n) => n.masterPort === victim)!;

        const promoted = await cluster.killMasterAndWaitForPromotion(victim);
        expect(promoted).toMatchObject({ port: replica.port, role: 'master' });
        expect(cluster.node(victim).pid).toBeUndefined();
        expect((await cluster.masterOf(channel)).port).toBe(promoted.port);
        await publishUntilReceived(inbox, channel, 'after failover');

        await cluster.restartNode(victim);
        expect(cluster.node(victim)).toMatchObject({ role: 'replica', masterPort: promoted.port });
        await publishUntilReceived(inbox, channel, 'after rejoin');
        for (const other of [...channels.values()].slice(1)) {
          await publishUntilReceived(inbox, other, 'other shard');
        }
      },
      3 * DEADLINE_MS,
    );

    it(
      'a master killed and restarted at once on its port: ioredis resubscribes by itself',
      async () => {
        const channel = 'restarts:1';
        const inbox = await subscriber([channel]);
        const { port } = await cluster.masterOf(channel);

        await cluster.killNode(port);
        expect(cluster.node(port).pid).toBeUndefined();
        await cluster.restartNode(port);
        expect(cluster.node(port).pid).toBeDefined();
        await publishUntilReceived(inbox, channel, 'after restart');
      },
      3 * DEADLINE_MS,
    );

    it(
      'a manual failover: the roles swap; ioredis resubscribes only on a slots refresh ' +
        '(slotsRefreshInterval here)',
      async () => {
        const channel = 'failovers:1';
        // Without slotsRefreshInterval (or a refreshSlotsCache() of our own), ioredis 5.11 stays
        // subscribed to the demoted master, which has dropped the channel: nothing arrives.
        const inbox = await subscriber([channel], { slotsRefreshInterval: 500 });
        const old = await cluster.masterOf(channel);
        const replica = cluster.nodes.find((n) => n.masterPort === old.port)!;

        const promoted = await cluster.failover(old.port);
        expect(promoted).toMatchObject({ port: replica.port, role: 'master' });
        expect(cluster.node(old.port)).toMatchObject({ role: 'replica', masterPort: replica.port });
        expect(cluster.node(old.port).pid).toBe(old.pid);
        await publishUntilReceived(inbox, channel, 'after manual failover');
      },
      3 * DEADLINE_MS,
    );
  });
});
