import { Cluster, Redis } from 'ioredis';
import { once } from 'node:events';
import { startDemo, type RunningApp } from '../support/demo-app.js';
import { startDemoProcess } from '../support/demo-process.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { waitFor } from '../support/wait-for.js';
import { brokerOf, registryOf } from '../support/scale-out-harness.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Scale-out on a real Redis Cluster (3 masters, a replica each, started on loopback ports for
 * this file): demo instances configured with `redis.cluster` act as one for rooms, direct
 * messages, revocation, presence and cross-instance joins, and ride out a master's failover
 * during traffic. Run by `npm test` when redis-server is installed.
 */

let cluster: RedisCluster;
const apps: RunningApp[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1 });
}, 60_000);
afterAll(() => cluster.stop());
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function instance(): Promise<RunningApp> {
  const demo = await startDemo({ redisCluster: cluster.seeds, redisPresenceTtlMs: 3000 });
  apps.push(demo);
  let ready = false;
  await Promise.race([
    brokerOf(demo)
      .whenReady()
      .then(() => void (ready = true)),
    waitFor(() => ready, 'an instance to be ready on the cluster'),
  ]);
  return demo;
}

async function connect(demo: RunningApp, sub: string, claims: Record<string, unknown> = {}) {
  const socket = await TestSocket.connect(demo.baseUrl, {
    token: demo.sign({ sub, name: sub, ...claims }),
  });
  sockets.push(socket);
  return socket;
}

/** Polls the cluster until two instances hold the channel. */
async function subscribedBoth(channel: string): Promise<void> {
  const master = await cluster.masterOf(channel);
  const node = new Redis(master.url);
  try {
    for (let n = 0; n < 2;) {
      const reply = (await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
      n = reply[1];
    }
  } finally {
    node.disconnect();
  }
}

const ids = (reply: Record<string, unknown>) =>
  (reply['data'] as { members: { id: string }[] }).members.map((m) => m.id).sort();

describe('scale-out on a Redis Cluster', () => {
  it('rooms, presence, direct messages, cross-instance joins and revocation span instances', async () => {
    const [a, b] = [await instance(), await instance()];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    const admin = await connect(a, 'root', { role: 'admin' });

    await alice.request('chat:join', { room: 'c1' });
    expect(ids(await bob.request('chat:join', { room: 'c1' }))).toEqual(['alice', 'bob']);
    expect((await alice.nextEvent('chat:joined'))['data']).toMatchObject({ user: { id: 'bob' } });
    await bob.request('chat:send', { room: 'c1', text: 'over the cluster' });
    for (const s of [alice, bob]) {
      expect((await s.nextEvent('chat:message'))['data']).toMatchObject({
        text: 'over the cluster',
      });
    }
    expect(await registryOf(a).count('chat:c1')).toBe(2);

    await alice.request('chat:direct', { to: 'bob', text: 'psst' });
    expect((await bob.nextEvent('chat:direct'))['data']).toMatchObject({ text: 'psst' });

    // From a service of instance A, bob's socket on B joins a room that only alice is in.
    await alice.request('chat:join', { room: 'c2' });
    registryOf(a).toUser('bob').join('chat:c2');
    await waitFor(() => registryOf(b).localMembers('chat:c2').length === 1, 'the join on B');
    // A join from afar takes effect for the room's traffic once B's subscription is confirmed.
    await subscribedBoth('realtime:room:chat:c2');
    await alice.request('chat:send', { room: 'c2', text: 'pulled in' });
    expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: 'pulled in' });

    await admin.request('admin:revoke', { userId: 'bob', reason: 'Bye' });
    expect(await bob.closed).toEqual({ code: 4500, reason: 'Bye' });
    for (const demo of [a, b])
      expect(brokerOf(demo).health()).toMatchObject({ ready: true, ignored: 0 });
  });

  it('garbage on our sharded channels is ignored and counted; nothing crashes', async () => {
    const [a, b] = [await instance(), await instance()];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    for (const s of [alice, bob]) await s.request('chat:join', { room: 'g' });
    const publisher = new Cluster(cluster.seeds);
    try {
      for (const channel of ['realtime:all', 'realtime:room:chat:g', 'realtime:user:bob']) {
        for (const garbage of ['hello', 'rt2 x\n{}\n{}', 'rt2 x\n{"k":"m","t":null}\n{}']) {
          await publisher.spublish(channel, garbage);
        }
      }
    } finally {
      publisher.disconnect();
    }
    await waitFor(() => brokerOf(b).health().ignored === 9);
    await alice.request('chat:send', { room: 'g', text: 'still fine' });
    expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: 'still fine' });
  });

  it('an instance killed with SIGKILL: the others purge its presence within the TTL', async () => {
    const a = await startDemo({ redisCluster: cluster.seeds, redisPresenceTtlMs: 600 });
    apps.push(a);
    await brokerOf(a).whenReady();
    const { child, baseUrl: url } = await startDemoProcess(
      { REDIS_URL: '', REDIS_CLUSTER: cluster.seeds.join(','), REDIS_PRESENCE_TTL_MS: '600' },
      'Subscribed to',
    );
    try {
      const ghost = await TestSocket.connect(url, { token: a.sign({ sub: 'ghost' }) });
      sockets.push(ghost);
      await ghost.request('chat:join', { room: 'haunted' });
      const alice = await connect(a, 'alice');
      expect(ids(await alice.request('chat:join', { room: 'haunted' }))).toEqual([
        'alice',
        'ghost',
      ]);

      const purged = once(brokerOf(a).events, 'purged');
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      await purged;
      expect(ids(await alice.request('chat:join', { room: 'haunted' }))).toEqual(['alice']);
      expect(await registryOf(a).count('chat:haunted')).toBe(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('a master fails over during traffic: delivery resumes by itself, in order, nothing crashes', async () => {
    const [a, b] = [await instance(), await instance()];
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    for (const s of [alice, bob]) await s.request('chat:join', { room: 'fo' });
    const heard: number[] = [];
    bob.ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { event?: string; data?: { room: string } };
      if (message.event === 'chat:typing') heard.push(Number(message.data!.room));
    });

    // A service of instance A pushes to the room every 5 ms, through the failover.
    let sent = 0;
    const traffic = setInterval(() => {
      registryOf(a)
        .to('chat:fo')
        .emit('chat:typing', { room: String(sent++), user: { id: 'svc', name: 'svc' } });
    }, 5);
    try {
      await waitFor(() => heard.length >= 20, 'traffic before the failover');
      const master = await cluster.masterOf('realtime:room:chat:fo');
      const promoted = cluster.killMasterAndWaitForPromotion(master.port);
      // health() tells: not ready while a master is gone, ready again after the failover.
      await waitFor(() => !brokerOf(a).health().ready, 'A to report the lost master');
      await promoted;
      const afterFailover = sent;
      await waitFor(() => heard.some((n) => n > afterFailover + 20), 'traffic after the failover');
      await cluster.restartNode(master.port);
    } finally {
      clearInterval(traffic);
    }
    // What was published while the slot had no master was dropped and counted, not queued.
    expect(brokerOf(a).health().publishFailures).toBeGreaterThan(0);
    // At most once across the failover, and never out of order.
    expect(heard).toEqual([...heard].sort((x, y) => x - y));
    expect(new Set(heard).size).toBe(heard.length);
    await waitFor(
      () => brokerOf(a).health().ready && brokerOf(b).health().ready,
      'both instances ready',
    );
    await alice.request('chat:send', { room: 'fo', text: 'after' });
    expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: 'after' });
  }, 60_000);
});
