import { Redis } from 'ioredis';
import type { RunningApp } from '../support/demo-app.js';
import { brokerOf, installScaleOutHarness, registryOf } from '../support/scale-out-harness.js';

/**
 * Redis as a trust boundary (issue 15): corrupt presence entries, written with a raw client into
 * the keys of a live instance, are skipped and counted (`health().presenceIgnored`); they never
 * fail a read nor hide the other members. Run when redis-server is installed.
 */

const ids = (members: { userId: string }[]): string[] => members.map((m) => m.userId).sort();
const ignoredOn = (demo: RunningApp): number => brokerOf(demo).health().presenceIgnored ?? -1;

describe('Redis as a trust boundary: presence', () => {
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

  it('corrupt room entries are skipped and counted; every other member is listed', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    await alice.request('chat:join', { room: 'p' });
    await bob.request('chat:join', { room: 'p' });
    const A = brokerOf(a).instanceId;
    const corrupt: Record<string, string> = {
      [`${A}|c-null`]: 'null',
      [`${A}|c-42`]: '42',
      [`${A}|c-empty`]: '{}',
      [`${A}|c-text`]: 'THIS IS NOT JSON <script>',
      [`${A}|c-types`]: '{"connectionId":7,"userId":["x"],"claims":"none"}',
      [`${A}|c-claims`]: '{"connectionId":"c-claims","userId":"x","claims":null}',
      // Claims a connection other than the one its field names.
      [`${A}|c-other`]: '{"connectionId":"someone-else","userId":"x","claims":{}}',
      'no-instance': '{"connectionId":"no-instance","userId":"x","claims":{}}',
    };
    // Well-formed but for a `__proto__` in its claims: listed, without it.
    const proto =
      '{"connectionId":"c-proto","userId":"mallory","claims":{"name":"M","__proto__":{"polluted":true}}}';
    await raw.hset('realtime:room:{r:chat:p}', { ...corrupt, [`${A}|c-proto`]: proto });
    const fields = [...Object.keys(corrupt), `${A}|c-proto`];
    await raw.zadd('realtime:order:{r:chat:p}', ...fields.flatMap((f) => [0, f]));

    const bad = Object.keys(corrupt).length;
    for (const demo of [a, b]) {
      const before = ignoredOn(demo);
      const members = await registryOf(demo).members('chat:p');
      expect(ids(members)).toEqual(['alice', 'bob', 'mallory']);
      expect(ignoredOn(demo) - before).toBe(bad);
      const mallory = members.find((m) => m.userId === 'mallory');
      expect(mallory?.claims).toEqual({ name: 'M' });
      expect(Object.keys(mallory?.claims ?? {})).toEqual(['name']);
      const page = await registryOf(demo).membersPage('chat:p', { limit: 5 });
      const rest = await registryOf(demo).membersPage('chat:p', { after: page.next! });
      expect(ids([...page.members, ...rest.members])).toEqual(['alice', 'bob', 'mallory']);
      expect(ignoredOn(demo) - before).toBe(2 * bad);
    }
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();

    // Through the demo: the reply lists everyone, no INTERNAL.
    const joined = await bob.request('chat:join', { room: 'p' });
    const listed = (joined['data'] as { members: { id: string }[] }).members.map((m) => m.id);
    expect(listed.sort()).toEqual(['alice', 'bob', 'mallory']);
    await alice.request('chat:send', { room: 'p', text: 'still served' });
    expect((await bob.nextEvent('chat:message'))['data']).toMatchObject({ text: 'still served' });
  });

  it('a corrupt count or user entry is skipped and counted; the rest answers', async () => {
    const alice = await connect(a, 'alice');
    const bob = await connect(b, 'bob');
    for (const s of [alice, bob]) await s.request('chat:join', { room: 'n' });
    expect(await registryOf(a).count('chat:n')).toBe(2);

    const before = ignoredOn(a);
    await raw.hset('realtime:count:{r:chat:n}', brokerOf(b).instanceId, 'lots');
    // B's count is unreadable: A's member is still counted.
    expect(await registryOf(a).count('chat:n')).toBe(1);
    expect(ignoredOn(a) - before).toBe(1);

    await raw.sadd('realtime:user:bob', 'garbage', '|');
    await raw.sadd('realtime:user:nobody', 'junk');
    expect(await registryOf(a).isUserOnline('nobody')).toBe(false);
    expect(ignoredOn(a) - before).toBe(2);
    expect(await registryOf(a).isUserOnline('bob')).toBe(true);
    expect(await alice.request('chat:direct', { to: 'bob', text: 'hi' })).toMatchObject({
      data: expect.anything(),
    });
    expect((await bob.nextEvent('chat:direct'))['data']).toMatchObject({ text: 'hi' });
  });
});
