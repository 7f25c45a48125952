import { streamKeys } from '../../recovery/redis-stream-scripts.js';
import { hashedPart, hashSlot, tagOfSlot } from './redis-hash-slot.js';

describe('Redis Cluster hash slots', () => {
  it('hashes as CLUSTER KEYSLOT does', () => {
    // Values from the cluster specification and redis-cli.
    expect(hashSlot('123456789')).toBe(12739);
    expect(hashSlot('foo')).toBe(12182);
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('user1000'));
    expect(hashSlot('{}x')).not.toBe(hashSlot('x'));
  });

  it.each([
    ['a:b', 'a:b'],
    ['{x}y', 'x'],
    ['a{x}{y}', 'x'],
    ['a{}{x}', 'a{}{x}'],
    ['a{{x}', '{x'],
    ['a}b{', 'a}b{'],
    ['a{b', 'a{b'],
  ])('hashes the tag of %j: %j', (key, part) => {
    expect(hashedPart(key)).toBe(part);
  });

  it('finds a short tag without braces for any slot', () => {
    for (const slot of [0, 1, 866, 12182, 16383]) {
      const tag = tagOfSlot(slot);
      expect(tag).toMatch(/^[0-9a-z]+$/);
      expect(hashSlot(`{${tag}}anything`)).toBe(slot);
    }
  });

  it.each([
    ['rt', 'room:chat:general'],
    ['rt', 'room:{x}'],
    ['rt', 'room:a}b'],
    ['rt', 'room:{}'],
    ['rt', 'user:alice'],
    ['rt', 'all'],
    ['{app}', 'room:chat'],
    ['a}', 'room:x'],
  ])('puts the keys of a stream in the slot of its channel (prefix %j, %j)', (prefix, stream) => {
    const channel = `${prefix}:${stream}`;
    const keys = streamKeys(prefix, channel, stream);
    expect(hashSlot(keys.entries)).toBe(hashSlot(channel));
    expect(hashSlot(keys.meta)).toBe(hashSlot(channel));
    expect(keys.entries).not.toBe(keys.meta);
  });

  it('gives every stream keys of its own, braces or not', () => {
    const streams = ['room:{x}1', 'room:{x}2', 'room:x', 'room:{x}', 'user:{x}1'];
    const keys = streams.flatMap((s) => Object.values(streamKeys('rt', `rt:${s}`, s)));
    expect(new Set(keys).size).toBe(keys.length);
    expect(streamKeys('rt', 'rt:room:chat', 'room:chat')).toEqual({
      entries: 'rt:h:{rt:room:chat}',
      meta: 'rt:hm:{rt:room:chat}',
      latest: 'rt:hk:{rt:room:chat}',
    });
  });
});
