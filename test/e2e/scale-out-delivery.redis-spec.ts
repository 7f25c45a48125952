import type { DemoContract } from '../../src/demo/contract.js';
import type { RunningApp } from '../support/demo-app.js';
import { brokerOf, installScaleOutHarness, registryOf } from '../support/scale-out-harness.js';
import { createTestClient, type TestClient } from '../../src/testing/index.js';

/**
 * Scale-out on Redis (reliability A5, F7): two demo instances on one Redis act as one, for rooms,
 * direct messages, revocation and ordered delivery. Each test starts its own `redis-server` on a
 * free port. Run by `npm test` when redis-server is installed.
 */

describe('scale-out on Redis', () => {
  const { instance, connect } = installScaleOutHarness();

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
});
