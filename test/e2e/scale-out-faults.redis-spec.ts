import { once } from 'node:events';
import { Redis } from 'ioredis';
import { startDemoProcess } from '../support/demo-process.js';
import { freePort, RedisProcess } from '../support/redis-server.js';
import { brokerOf, installScaleOutHarness } from '../support/scale-out-harness.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Scale-out on Redis under faults (reliability E7-E9): Redis killed, slow or down at boot, foreign
 * messages on the channel, an instance killed. Each test starts its own `redis-server` on a free
 * port, so faults can be injected by killing it. Run by `npm test` when redis-server is installed.
 */

describe('scale-out on Redis', () => {
  const { redis, apps, instance, connect } = installScaleOutHarness();

  describe('faults', () => {
    it('Redis killed and restarted: local delivery goes on, cross sends fail fast and are counted, everything comes back (E7)', async () => {
      const a = await instance();
      const b = await instance();
      await Promise.all([brokerOf(a).whenReady(), brokerOf(b).whenReady()]);
      const alice = await connect(a, 'alice');
      const carol = await connect(a, 'carol');
      const bob = await connect(b, 'bob');
      for (const s of [alice, carol, bob]) await s.request('chat:join', { room: 'ops' });

      const down = once(brokerOf(a).events, 'down');
      await redis.kill();
      await down;
      const failures = brokerOf(a).health().publishFailures;
      await alice.request('chat:send', { room: 'ops', text: 'during outage' });
      expect((await carol.nextEvent('chat:message'))['data']).toMatchObject({
        text: 'during outage',
      });
      expect(brokerOf(a).health()).toMatchObject({ ready: false });
      expect(brokerOf(a).health().publishFailures).toBeGreaterThan(failures);
      const health = await fetch(`${a.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        ready: false,
        reasons: ['broker_unavailable'],
        broker: { ready: false },
      });

      await redis.restart();
      await Promise.all([brokerOf(a).whenReady(), brokerOf(b).whenReady()]);
      await alice.request('chat:send', { room: 'ops', text: 'after outage' });
      // Bob never saw the outage message (at most once), and sees the next one.
      expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: 'after outage' });
      // Presence was restored into the new (empty) Redis.
      const members = (await bob.request('chat:join', { room: 'ops' }))['data'] as {
        members: { id: string }[];
      };
      expect(members.members.map((m) => m.id).sort()).toEqual(['alice', 'bob', 'carol']);
      expect((await fetch(`${a.baseUrl}/health`)).status).toBe(200);
    });

    it('a slow Redis fails cross-instance sends fast, local delivery unaffected (E7)', async () => {
      const a = await instance();
      await brokerOf(a).whenReady();
      const alice = await connect(a, 'alice');
      const carol = await connect(a, 'carol');
      for (const s of [alice, carol]) await s.request('chat:join', { room: 'slow' });
      const admin = new Redis(redis.url);
      try {
        await admin.call('CLIENT', 'PAUSE', '3000', 'WRITE');
        const failed = once(brokerOf(a).events, 'publishFailed');
        await alice.request('chat:send', { room: 'slow', text: 'while slow' });
        expect((await carol.nextEvent('chat:message'))['data']).toMatchObject({
          text: 'while slow',
        });
        await failed;
        await admin.call('CLIENT', 'UNPAUSE');
      } finally {
        admin.disconnect();
      }
    });

    it('Redis down at boot: the app starts, is not ready, and becomes ready when Redis comes (E8)', async () => {
      const port = await freePort();
      const a = await instance({ redisUrl: `redis://127.0.0.1:${port}` });
      expect(brokerOf(a).health().ready).toBe(false);
      expect((await fetch(`${a.baseUrl}/health`)).status).toBe(503);
      const alice = await connect(a, 'alice');
      expect((await alice.request('chat:join', { room: 'boot' }))['data']).toMatchObject({
        room: 'boot',
      });
      const late = await RedisProcess.start(port);
      try {
        await brokerOf(a).whenReady();
        expect((await fetch(`${a.baseUrl}/health`)).status).toBe(200);
      } finally {
        await apps.splice(0).map((x) => x.close())[0];
        await late.kill();
      }
    });

    it('foreign and malformed messages on our channels are ignored and counted (E9)', async () => {
      const a = await instance();
      const b = await instance();
      await Promise.all([brokerOf(a).whenReady(), brokerOf(b).whenReady()]);
      const alice = await connect(a, 'alice');
      const bob = await connect(b, 'bob');
      for (const s of [alice, bob]) await s.request('chat:join', { room: 'e9' });
      const publisher = new Redis(redis.url);
      try {
        let ignored = 0;
        const all = new Promise<void>((resolve) =>
          brokerOf(b).events.on('ignored', () => ++ignored === 10 && resolve()),
        );
        // On the broadcast channel and on the room's: both instances hold them.
        const room = (await publisher.call('PUBSUB', 'SHARDCHANNELS', '*e9*')) as string[];
        expect(room).toHaveLength(1);
        for (const channel of ['realtime:all', ...room]) {
          for (const garbage of ['hello', 'rt2 x\n{}\n{}', 'rt2 x\nnot json\n', '', 'rt1\n{}']) {
            await publisher.spublish(channel, garbage);
          }
        }
        await all;
      } finally {
        publisher.disconnect();
      }
      await alice.request('chat:send', { room: 'e9', text: 'still fine' });
      expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: 'still fine' });
      expect(brokerOf(b).health().ignored).toBe(10);
    });

    it('kill -9 of an instance: the others purge its presence within the TTL (E9)', async () => {
      const a = await instance({ redisPresenceTtlMs: 600 });
      await brokerOf(a).whenReady();
      const { child, baseUrl: url } = await startDemoProcess(
        { REDIS_URL: redis.url, REDIS_PRESENCE_TTL_MS: '600' },
        'Subscribed to',
      );
      try {
        const ghost = await TestSocket.connect(url, { token: a.sign({ sub: 'ghost' }) });
        await ghost.request('chat:join', { room: 'haunted' });
        const alice = await connect(a, 'alice');
        const before = (await alice.request('chat:join', { room: 'haunted' }))['data'] as {
          members: { id: string }[];
        };
        expect(before.members.map((m) => m.id).sort()).toEqual(['alice', 'ghost']);

        const purged = once(brokerOf(a).events, 'purged');
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
        await purged;
        const after = (await alice.request('chat:join', { room: 'haunted' }))['data'] as {
          members: { id: string }[];
        };
        expect(after.members.map((m) => m.id)).toEqual(['alice']);
        expect(await alice.request('chat:direct', { to: 'ghost', text: 'boo' })).toMatchObject({
          error: { code: 'USER_OFFLINE' },
        });
        await ghost.close();
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  });
});
