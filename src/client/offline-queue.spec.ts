import { OfflineQueue } from './offline-queue.js';

describe('OfflineQueue', () => {
  it('keeps order and drains oldest first', () => {
    const queue = new OfflineQueue<string>(5);
    for (const item of ['a', 'b', 'c']) expect(queue.push(item)).toBe(true);
    expect(queue.size).toBe(3);
    expect(queue.drain()).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
    expect(queue.drain()).toEqual([]);
  });

  it('refuses an item over max and queues nothing for it', () => {
    const queue = new OfflineQueue<number>(2);
    expect([queue.push(1), queue.push(2), queue.push(3)]).toEqual([true, true, false]);
    expect(queue.drain()).toEqual([1, 2]);
    expect(new OfflineQueue<number>(0).push(1)).toBe(false);
  });

  it('removes one item and keeps the order of the rest', () => {
    const queue = new OfflineQueue<string>(5);
    ['a', 'b', 'c'].forEach((item) => queue.push(item));
    expect(queue.remove('b')).toBe(true);
    expect(queue.remove('z')).toBe(false);
    expect(queue.drain()).toEqual(['a', 'c']);
  });
});
