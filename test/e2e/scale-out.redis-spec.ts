import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { ConnectionRegistry, RealtimeBroker, type RedisBroker } from '../../src/server/index.js';
import type { DemoContract } from '../../src/demo/contract.js';
import { startDemo, TEST_SECRET, type RunningApp } from '../support/demo-app.js';
import { freePort, RedisProcess } from '../support/redis-server.js';
import { createTestClient, type TestClient } from '../../src/testing/index.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Scale-out on Redis (reliability A5, E1, E7-E9, F7): several demo instances on one Redis act as
 * one. Each describe block starts its own `redis-server` on a free port, so faults can be
 * injected by killing it. Run by `npm test` when redis-server is installed.
 */

const brokerOf = (demo: RunningApp): RedisBroker =>
  demo.app.get(RealtimeBroker) as unknown as RedisBroker;
const registryOf = (demo: RunningApp): ConnectionRegistry<DemoContract> =>
  demo.app.get(ConnectionRegistry);

describe('scale-out on Redis', () => {
  let redis: RedisProcess;
  const apps: RunningApp[] = [];
  const sockets: TestSocket[] = [];

  const instance = async (overrides: Parameters<typeof startDemo>[0] = {}) => {
    const demo = await startDemo({ redisUrl: redis.url, redisPresenceTtlMs: 3000, ...overrides });
    apps.push(demo);
    return demo;
  };
  const connect = async (demo: RunningApp, sub: string, claims: Record<string, unknown> = {}) => {
    const socket = await TestSocket.connect(demo.baseUrl, {
      token: demo.sign({ sub, name: sub, ...claims }),
    });
    sockets.push(socket);
    return socket;
  };

  beforeEach(async () => {
    redis = await RedisProcess.start();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await redis.kill();
  });

  describe('two instances behind one address', () => {
    let a: RunningApp;
    let b: RunningApp;
    beforeEach(async () => {
      a = await instance();
      b = await instance();
      await Promise.all([brokerOf(a).whenReady(), brokerOf(b).whenReady()]);
    });

    it('a chat room spans instances: presence, joins and messages', async () => {
      const alice = await connect(a, 'alice');
      const bob = await connect(b, 'bob');
      await alice.request('chat:join', { room: 'general' });
      const joined = await bob.request('chat:join', { room: 'general' });
      const members = (joined['data'] as { members: { id: string }[] }).members;
      expect(members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
      expect((await alice.nextEvent('chat:joined'))['data']).toEqual({
        room: 'general',
        user: { id: 'bob', name: 'bob' },
      });

      const sent = await bob.request('chat:send', { room: 'general', text: 'hi from B' });
      const { id } = sent['data'] as { id: string };
      for (const socket of [alice, bob]) {
        expect((await socket.nextEvent('chat:message'))['data']).toMatchObject({
          id,
          text: 'hi from B',
          from: { id: 'bob', name: 'bob' },
        });
      }
    });

    it('SDK clients on two instances chat in one room, send direct messages, and are revoked', async () => {
      const clients: TestClient<DemoContract>[] = [];
      const sdk = async (demo: RunningApp, sub: string, claims: Record<string, unknown> = {}) => {
        const url = `${demo.baseUrl.replace('http', 'ws')}/ws`;
        const client = await createTestClient<DemoContract>(url, {
          token: demo.sign({ sub, name: sub, ...claims }),
        });
        clients.push(client);
        return client;
      };
      try {
        const alice = await sdk(a, 'alice');
        const bob = await sdk(b, 'bob');
        const admin = await sdk(a, 'root', { role: 'admin' });
        await alice.request('chat:join', { room: 'sdk' });
        const { members } = await bob.request('chat:join', { room: 'sdk' });
        expect(members.map((m) => m.id).sort()).toEqual(['alice', 'bob']);
        const { id } = await bob.request('chat:send', { room: 'sdk', text: 'typed, across' });
        expect(await alice.expectPush('chat:message')).toMatchObject({ id, text: 'typed, across' });
        await alice.request('chat:direct', { to: 'bob', text: 'psst' });
        expect(await bob.expectPush('chat:direct')).toMatchObject({ text: 'psst' });
        await admin.request('admin:revoke', { userId: 'bob', reason: 'Bye' });
        expect(await bob.expectState('closed')).toMatchObject({ code: 4500, reason: 'Bye' });
      } finally {
        await Promise.all(clients.map((c) => c.close()));
      }
    });

    it('a direct message reaches every socket of the user, on both instances, once', async () => {
      const alice = await connect(a, 'alice');
      const bobOnA = await connect(a, 'bob');
      const bobOnB = await connect(b, 'bob');
      const carolOnB = await connect(b, 'carol');

      await alice.request('chat:direct', { to: 'bob', text: 'one' });
      await alice.request('chat:direct', { to: 'bob', text: 'two' });
      for (const socket of [bobOnA, bobOnB]) {
        expect((await socket.nextEvent('chat:direct'))['data']).toMatchObject({ text: 'one' });
        expect((await socket.nextEvent('chat:direct'))['data']).toMatchObject({ text: 'two' });
      }
      // A user online only on the other instance is online.
      const toCarol = await alice.request('chat:direct', { to: 'carol', text: 'hey' });
      expect(toCarol['data']).toMatchObject({ id: expect.any(String) });
      expect((await carolOnB.nextEvent('chat:direct'))['data']).toMatchObject({ text: 'hey' });
      const offline = await alice.request('chat:direct', { to: 'nobody', text: 'x' });
      expect(offline['error']).toMatchObject({ code: 'USER_OFFLINE' });
    });

    it('revocation closes the user on every instance with 4500 (A5)', async () => {
      const admin = await connect(a, 'root', { role: 'admin' });
      const bobOnA = await connect(a, 'bob');
      const bobOnB = await connect(b, 'bob');
      const carol = await connect(b, 'carol');
      const reply = await admin.request('admin:revoke', { userId: 'bob', reason: 'Logged out' });
      expect(reply['data']).toEqual({ revoked: 1 }); // counted on the admin's instance
      expect(await bobOnA.closed).toEqual({ code: 4500, reason: 'Logged out' });
      expect(await bobOnB.closed).toEqual({ code: 4500, reason: 'Logged out' });
      expect((await carol.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
    });

    it('1 000 ordered messages reach each member socket exactly once; non-members get none (F7)', async () => {
      const m1 = await connect(a, 'm');
      const m2 = await connect(b, 'm');
      const m3 = await connect(b, 'm');
      const other = await connect(b, 'other');
      const outsider = await connect(a, 'outsider');
      for (const socket of [m1, m2, m3, other]) await socket.request('chat:join', { room: 'seq' });
      await other.request('chat:leave', { room: 'seq' });

      const registry = registryOf(a);
      const count = 1000;
      for (let i = 0; i < count; i++) {
        registry
          .to('chat:seq')
          .emit('chat:typing', { room: 'seq', user: { id: `${i}`, name: '' } });
      }
      registry.toUser(['other', 'outsider']).emit('chat:left', {
        room: 'barrier',
        user: { id: 'x', name: 'x' },
      });
      for (const socket of [m1, m2, m3]) {
        const seen: string[] = [];
        for (let i = 0; i < count; i++) {
          const push = await socket.nextEvent('chat:typing');
          seen.push((push['data'] as { user: { id: string } }).user.id);
        }
        expect(seen).toEqual(Array.from({ length: count }, (_, i) => `${i}`));
      }
      for (const socket of [other, outsider]) {
        const first = await socket.next((m) => m['event'] !== 'chat:joined');
        expect(first).toMatchObject({ event: 'chat:left', data: { room: 'barrier' } });
      }
      // The barrier came after every sequence message: no socket got a duplicate either.
      await m1.request('$ping');
      expect(m1.pending().filter((m) => m['event'] === 'chat:typing')).toEqual([]);
    });
  });

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
      expect(await health.json()).toMatchObject({ status: 'degraded', broker: { ready: false } });

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

    it('foreign and malformed messages on our channel are ignored and counted (E9)', async () => {
      const a = await instance();
      const b = await instance();
      await Promise.all([brokerOf(a).whenReady(), brokerOf(b).whenReady()]);
      const alice = await connect(a, 'alice');
      const bob = await connect(b, 'bob');
      for (const s of [alice, bob]) await s.request('chat:join', { room: 'e9' });
      const publisher = new Redis(redis.url);
      try {
        const ignored = once(brokerOf(b).events, 'ignored');
        for (const garbage of ['hello', 'rt1\n{"i":"x"}\n{}', 'rt1\nnot json\n', '']) {
          await publisher.publish('realtime:deliveries', garbage);
        }
        await ignored;
      } finally {
        publisher.disconnect();
      }
      await alice.request('chat:send', { room: 'e9', text: 'still fine' });
      expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: 'still fine' });
      expect(brokerOf(b).health().ignored).toBeGreaterThanOrEqual(4);
    });

    it('kill -9 of an instance: the others purge its presence within the TTL (E9)', async () => {
      const a = await instance({ redisPresenceTtlMs: 600 });
      await brokerOf(a).whenReady();
      const child = spawn(process.execPath, ['dist/demo/main.js'], {
        env: {
          ...process.env,
          PORT: '0',
          NO_COLOR: '1',
          JWT_SECRET: TEST_SECRET,
          REDIS_URL: redis.url,
          REDIS_PRESENCE_TTL_MS: '600',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let output = '';
        const url = await new Promise<string>((resolve, reject) => {
          const onData = (chunk: Buffer) => {
            output += chunk.toString();
            const match = /Demo on (http:\/\/localhost:\d+)/.exec(output);
            if (match && output.includes('Subscribed to')) resolve(match[1]!);
          };
          child.stdout!.on('data', onData);
          child.stderr!.on('data', onData);
          child.once('exit', () => reject(new Error(output)));
        });
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
