import { Redis } from 'ioredis';
// The key layout is internal: the test drives it directly to build a room no test socket could.
import { RedisPresenceKeys } from '../../src/server/broker/redis/redis-presence-keys.js';
import { RedisProcess } from '../support/redis-server.js';

/**
 * Presence keys on a private `redis-server`: a room of 9 000 members of one instance (more than
 * Lua's unpack() takes at once) is purged whole, and room names that would break a cluster hash
 * tag ('' or a leading `}`) keep their keys together. Run by `npm test` when redis-server is
 * installed.
 */

let server: RedisProcess;
let redis: Redis;
beforeAll(async () => {
  server = await RedisProcess.start();
  redis = new Redis(server.url);
});
afterAll(async () => {
  await redis.quit();
  await server.kill();
});

/** What Redis Cluster hashes of a key: the first non-empty `{...}`, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

const member = (i: number) => ({ connectionId: `c${i}`, userId: `u${i}`, claims: {} });

describe('Redis presence keys', () => {
  it('purges a dead instance from a room of 9 000 of its members', async () => {
    const dead = new RedisPresenceKeys(redis, 'big', 'dead', 60_000);
    const alive = new RedisPresenceKeys(redis, 'big', 'alive', 60_000);
    await Promise.all(Array.from({ length: 9_000 }, (_, i) => dead.join('lobby', member(i))));
    await alive.join('lobby', member(-1));
    await Promise.all([dead.beat(), alive.beat()]);
    expect(await alive.count('lobby')).toBe(9_001);

    await alive.purge('dead');
    expect(await alive.count('lobby')).toBe(1);
    expect((await alive.members('lobby')).map((m) => m.connectionId)).toEqual(['c-1']);
    expect(await alive.page('lobby', undefined, 10)).toEqual({ members: [member(-1)] });
  });

  it('restore removes what a dropped leave or close left behind, and fixes the counts', async () => {
    const keys = new RedisPresenceKeys(redis, 'prune', 'i1', 60_000);
    await keys.beat();
    // Redis has c1, c2 and c3 in the room, and c3 online; the instance now has c1 only (the
    // leaves and the close of c2 and c3 were dropped while Redis was unreachable).
    for (const i of [1, 2, 3]) await keys.join('room', member(i));
    await keys.open(member(3));
    await redis.hset('prune:count:{r:room}', 'i1', 7); // a count that drifted
    const before = await keys.ownEntries();
    await keys.join('room', member(4)); // joined after `before` was read: must stay
    await keys.prune(before, { rooms: [['room', member(1)]], connections: [member(1)] });

    expect((await keys.members('room')).map((m) => m.connectionId).sort()).toEqual(['c1', 'c4']);
    expect(await keys.count('room')).toBe(2);
    expect(await keys.isOnline('u3')).toBe(false);
  });

  it('keeps a room’s keys in one hash slot whatever its name', async () => {
    const keys = new RedisPresenceKeys(redis, 'names', 'i1', 60_000);
    await keys.beat();
    for (const room of ['', '}', '}x{y}', '{a}', 'plain']) {
      await keys.join(room, member(1));
      expect(await keys.count(room)).toBe(1);
      const tags = (await redis.keys(`names:*:{r:${room}}`)).map(hashTag);
      expect(tags.length).toBe(3);
      expect(new Set(tags).size).toBe(1);
      await keys.leave(room, member(1));
    }
  });
});
