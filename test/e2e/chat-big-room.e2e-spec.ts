import { startDemo, type RunningApp } from '../support/demo-app.js';
import type { TestSocket } from '../support/ws-client.js';

type Message = Awaited<ReturnType<TestSocket['next']>>;

/**
 * demo.md, "Big rooms": the `chat:join` reply lists at most 100 members with the room's `count`;
 * up to 100 members joins and leaves are pushed one by one, above that they are coalesced into
 * `chat:presence` diffs, at most one per room per second, so a room of n costs O(n) frames.
 */

interface User {
  id: string;
  name: string;
}

const MEMBERS = 160;

describe('demo chat, big rooms', () => {
  let demo: RunningApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await demo.close();
  });

  /** Applies a watcher's presence pushes to the members it knows, until `done` holds. */
  async function follow(
    watcher: TestSocket,
    known: Set<string>,
    done: () => boolean,
  ): Promise<Message[]> {
    const seen: Message[] = [];
    while (!done()) {
      const push = await watcher.next((m) => /^chat:(joined|left|presence)$/.test(String(m.event)));
      seen.push(push);
      const data = push['data'] as { user?: User; joined?: User[]; left?: User[] };
      if (push.event === 'chat:joined') known.add(data.user!.id);
      if (push.event === 'chat:left') known.delete(data.user!.id);
      for (const user of data.joined ?? []) known.add(user.id);
      for (const user of data.left ?? []) known.delete(user.id);
    }
    return seen;
  }

  it('lists 100 members with the count, and coalesces joins and leaves above 100', async () => {
    const watcher = await demo.connect({ sub: 'watcher', name: 'Watcher' });
    sockets.push(watcher);
    await watcher.request('chat:join', { room: 'big' });
    const started = Date.now();

    const members: TestSocket[] = [];
    for (let i = 1; i <= MEMBERS; i++) {
      const socket = await demo.connect({ sub: `m${i}`, name: `Member ${i}` });
      sockets.push(socket);
      members.push(socket);
    }
    // In batches, as a crowd arrives.
    const replies: Message[] = [];
    for (let i = 0; i < MEMBERS; i += 20) {
      const batch = members.slice(i, i + 20);
      replies.push(
        ...(await Promise.all(batch.map((s) => s.request('chat:join', { room: 'big' })))),
      );
    }
    const last = replies.at(-1)!['data'] as { members: User[]; count: number };
    expect(last.members).toHaveLength(100);
    expect(last.count).toBe(MEMBERS + 1);

    const everyone = new Set(['watcher', ...members.map((_, i) => `m${i + 1}`)]);
    const known = new Set(['watcher']);
    const joins = await follow(watcher, known, () => known.size === everyone.size);
    expect(known).toEqual(everyone);
    const one = joins.filter((m) => m.event === 'chat:joined');
    const diffs = joins.filter((m) => m.event === 'chat:presence');
    // One by one while the room had at most 100 members, then diffs: never one per join.
    expect(one.length).toBeLessThanOrEqual(100);
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    expect(diffs.at(-1)!['data']).toMatchObject({ room: 'big', count: MEMBERS + 1 });

    // The last member joined a big room: it was never sent a join one by one.
    const newest = members.at(-1)!;
    expect(newest.pending().filter((m) => m.event === 'chat:joined')).toEqual([]);

    // Sixty leave (half by request, half by closing): the others see it as diffs.
    const leavingAt = Date.now();
    const leaving = members.slice(0, 60);
    await Promise.all(leaving.slice(0, 30).map((s) => s.request('chat:leave', { room: 'big' })));
    await Promise.all(leaving.slice(30).map((s) => s.close()));
    for (let i = 1; i <= 60; i++) everyone.delete(`m${i}`);
    const leaves = await follow(watcher, known, () => known.size === everyone.size);
    expect(known).toEqual(everyone);
    expect(leaves.every((m) => m.event === 'chat:presence')).toBe(true);
    expect(leaves.length).toBeLessThanOrEqual(Math.ceil((Date.now() - leavingAt) / 1000) + 1);
    expect(leaves.at(-1)!['data']).toMatchObject({ count: MEMBERS + 1 - 60 });
  });
});
