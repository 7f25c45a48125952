import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { positionedFrame } from '../../src/protocol/index.js';
import { NO_TARGET, type MessageDelivery } from '../../src/server/broker/delivery.js';
import { encodePositioned } from '../../src/server/broker/redis/redis-wire.js';
import { RedisBroker } from '../../src/server/index.js';
import { RedisProcess } from '../support/redis-server.js';
import { waitFor } from '../support/wait-for.js';

/**
 * What the Redis stream log and session store leave in Redis and put on the channel, beyond the
 * conformance suites: key names, TTLs, the exact wire message, and a corrupt meta.
 */

let redis: RedisProcess;
let admin: Redis;
let broker: RedisBroker;
let tests = 0;
const prefix = () => `rt${tests}`;

beforeAll(async () => {
  if (!process.env.SHOW_LOGS) Logger.overrideLogger(false);
  redis = await RedisProcess.start();
  admin = new Redis(redis.url);
});
afterAll(async () => {
  await admin.quit();
  await redis.kill();
});
beforeEach(async () => {
  tests++;
  broker = new RedisBroker(
    { url: redis.url, prefix: prefix(), presenceTtlMs: 3000, commandTimeoutMs: 1000 },
    'inst-1',
  );
  await broker.bus.start(() => undefined);
  await broker.log.start(() => undefined);
  await broker.bus.whenReady();
});
afterEach(async () => {
  await broker.log.stop();
  await broker.bus.stop();
});

const push = (n: number): MessageDelivery => ({
  kind: 'message',
  target: { ...NO_TARGET, rooms: ['chat'], exceptRooms: ['x'] },
  frame: JSON.stringify({ event: 'chat:message', data: { n } }),
  volatile: false,
});

describe('RedisStreamLog in Redis', () => {
  it('publishes `rt2 <instance> p`, a header with the target, then the positioned frame', async () => {
    const channel = `${prefix()}:room:chat`;
    const listener = new Redis(redis.url);
    const messages: string[] = [];
    listener.on('smessage', (_channel: string, message: string) => messages.push(message));
    await listener.ssubscribe(channel);
    await broker.log.append('room:chat', push(1), { size: 10, ttlMs: 5000 });
    await waitFor(() => messages.length === 1, 'the publication');
    await listener.quit();

    const { e } = await broker.log.top('room:chat');
    const position = { stream: 'room:chat', e, o: 1 };
    const frame = positionedFrame(push(1).frame, 'room:chat', position);
    const head = /^rt2 inst-1 p\n\{"k":"m","q":(\d+),"w":\d+,"t":/.exec(messages[0]!);
    expect(head).not.toBeNull();
    // `w`: when it was published (the receivers' delivery lag), not compared.
    const undated = (text: string) => text.replace(/"w":\d+,/, '');
    expect(undated(messages[0]!)).toBe(
      undated(encodePositioned('inst-1', { ...push(1), frame }, Number(head![1]))),
    );
  });

  it('keeps entries under the channel’s hash tag, with their ttl, and the meta longer', async () => {
    const [before] = await admin.time();
    await broker.log.append('room:chat', push(1), { size: 10, ttlMs: 5000 });
    const entries = `${prefix()}:h:{${prefix()}:room:chat}`;
    const meta = `${prefix()}:hm:{${prefix()}:room:chat}`;
    const { e } = await broker.log.top('room:chat');
    // The meta holds the entries' ttl, which each entry's append time (Redis's clock) ages by.
    await expect(admin.hgetall(meta)).resolves.toEqual({ e, s: '1', t: '5000' });
    const range = await admin.xrange(entries, '-', '+');
    const frame = positionedFrame(push(1).frame, 'room:chat', { e, o: 1 });
    expect(range).toEqual([
      ['1-0', ['f', frame, 't', expect.any(String), 'a', expect.any(String)]],
    ]);
    expect(JSON.parse(range[0]![1][3]!)).toEqual(push(1).target);
    const [after] = await admin.time();
    const at = Number(range[0]![1][5]);
    expect(at).toBeGreaterThanOrEqual(Number(before) * 1000);
    expect(at).toBeLessThan((Number(after) + 1) * 1000);
    const [entriesTtl, metaTtl] = await Promise.all([admin.pttl(entries), admin.pttl(meta)]);
    expect(entriesTtl).toBeGreaterThan(0);
    expect(entriesTtl).toBeLessThanOrEqual(5000);
    expect(metaTtl).toBeGreaterThan(5000);
    expect(metaTtl).toBeLessThanOrEqual(86_400_000);
  });

  it('a meta without a valid epoch fails the append, and the next one opens a new epoch', async () => {
    const meta = `${prefix()}:hm:{${prefix()}:room:chat}`;
    await admin.hset(meta, 'e', 'not an epoch!', 's', '7');
    await expect(
      broker.log.append('room:chat', push(1), { size: 10, ttlMs: 5000 }),
    ).rejects.toThrow(/valid epoch/);
    await broker.log.append('room:chat', push(2), { size: 10, ttlMs: 5000 });
    const top = await broker.log.top('room:chat');
    expect(top).toEqual({ e: expect.stringMatching(/^[\w-]{1,16}$/), o: 1 });
    expect(broker.log.health()).toEqual({ appended: 1, appendFailures: 1 });
  });
});

describe('RedisStreamLog read back', () => {
  it('leaves out an entry whose frame is not a push: a gap, never a forged frame replayed', async () => {
    const rule = { size: 10, ttlMs: 5000 };
    await broker.log.append('room:chat', push(1), rule);
    const { e } = await broker.log.top('room:chat');
    const entries = `${prefix()}:h:{${prefix()}:room:chat}`;
    const meta = `${prefix()}:hm:{${prefix()}:room:chat}`;
    // Written straight into Redis: the right position, but shaped like a reply, and not JSON.
    const forged = [
      `{"o":2,"e":"${e}","s":"room:chat","event":"x","id":1,"data":{}}`,
      `{"o":3,"e":"${e}","s":"room:chat",THIS IS NOT JSON`,
    ];
    for (const [i, frame] of forged.entries()) {
      await admin.xadd(entries, `${i + 2}-0`, 'f', frame, 't', JSON.stringify(push(1).target));
    }
    await admin.hset(meta, 's', '3');
    await broker.log.append('room:chat', push(4), rule);
    const read = await broker.log.read('room:chat', 0, 10);
    expect(read.top).toEqual({ e, o: 4 });
    expect(read.entries.map((d) => d.position.o)).toEqual([1, 4]);
  });
});

describe('RedisSessionStore in Redis', () => {
  const record = { userId: 'alice', connectionId: 'c1', rooms: ['chat'], starts: {} };

  it('keeps a session under <prefix>:s:{<id>} for its ttl, as JSON', async () => {
    await broker.sessions.save('Qm9zZXNzaW9uaWQwMDAwMDAx', record, 60_000);
    const key = `${prefix()}:s:{Qm9zZXNzaW9uaWQwMDAwMDAx}`;
    await expect(admin.get(key)).resolves.toBe(JSON.stringify(record));
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('counts a corrupt value, and rejects while Redis is unreachable', async () => {
    await admin.set(`${prefix()}:s:{bad}`, '{"userId":"alice"}');
    await expect(broker.sessions.take('bad')).resolves.toBeUndefined();
    expect(broker.sessions.corrupt).toBe(1);
    await broker.bus.stop();
    await expect(broker.sessions.take('bad')).rejects.toThrow(/unavailable/);
    await expect(broker.sessions.save('x', record, 1000)).rejects.toThrow(/unavailable/);
  });
});
