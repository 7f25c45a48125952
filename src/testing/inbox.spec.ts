import { jest } from '@jest/globals';
import { ExpectationError, Inbox } from './inbox.js';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const describeWait = () => 'waiting for a';

/** The settled value or error of a promise, without an unhandled rejection. */
function watch<T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

describe('Inbox', () => {
  it('hands out an item that arrived before the wait, oldest first, once', async () => {
    const inbox = new Inbox<string>({ limit: 10 });
    inbox.put('a1');
    inbox.put('b1');
    inbox.put('a2');
    await expect(inbox.take((i) => i.startsWith('a'), 100, describeWait)).resolves.toBe('a1');
    await expect(inbox.take((i) => i.startsWith('a'), 100, describeWait)).resolves.toBe('a2');
    expect(inbox.buffered).toEqual(['b1']);
  });

  it('hands a later item to the oldest waiter it matches, and buffers the others', async () => {
    const inbox = new Inbox<string>({ limit: 10 });
    const first = inbox.take((i) => i.startsWith('a'), 100, describeWait);
    const second = inbox.take((i) => i.startsWith('a'), 100, describeWait);
    inbox.put('b1');
    inbox.put('a1');
    inbox.put('a2');
    await expect(first).resolves.toBe('a1');
    await expect(second).resolves.toBe('a2');
    expect(inbox.buffered).toEqual(['b1']);
    expect(inbox.waiting).toBe(0);
  });

  it('rejects with the description after the timeout, and forgets the waiter', async () => {
    const inbox = new Inbox<string>({ limit: 10 });
    const result = watch(inbox.take((i) => i === 'a', 250, describeWait));
    await jest.advanceTimersByTimeAsync(249);
    expect(result.done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(result.error).toBeInstanceOf(ExpectationError);
    expect((result.error as Error).message).toBe('waiting for a: nothing within 250 ms');
    inbox.put('a');
    expect(inbox.buffered).toEqual(['a']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps at most `limit` items, dropping the oldest', () => {
    const inbox = new Inbox<number>({ limit: 2 });
    for (const n of [1, 2, 3]) inbox.put(n);
    expect(inbox.buffered).toEqual([2, 3]);
    const none = new Inbox<number>({ limit: 0 });
    none.put(1);
    expect(none.buffered).toEqual([]);
  });

  it('in ordered mode, taking an item discards the older ones', async () => {
    const inbox = new Inbox<string>({ limit: 10, ordered: true });
    for (const s of ['connecting', 'open', 'reconnecting', 'open']) inbox.put(s);
    await expect(inbox.take((s) => s === 'reconnecting', 100, describeWait)).resolves.toBe(
      'reconnecting',
    );
    expect(inbox.buffered).toEqual(['open']);
    await expect(inbox.take((s) => s === 'open', 100, describeWait)).resolves.toBe('open');
    const next = inbox.take((s) => s === 'open', 100, describeWait);
    inbox.put('reconnecting');
    inbox.put('open');
    await expect(next).resolves.toBe('open');
    expect(inbox.buffered).toEqual([]);
  });

  it('close() rejects pending waits and later ones that find nothing; buffered items stay', async () => {
    const inbox = new Inbox<string>({ limit: 10 });
    inbox.put('b');
    const pending = inbox.take((i) => i === 'a', 1000, describeWait);
    inbox.close('closed');
    await expect(pending).rejects.toThrow('waiting for a: closed');
    await expect(inbox.take((i) => i === 'a', 1000, describeWait)).rejects.toThrow(
      ExpectationError,
    );
    await expect(inbox.take((i) => i === 'b', 1000, describeWait)).resolves.toBe('b');
    expect(jest.getTimerCount()).toBe(0);
    inbox.reopen();
    const again = inbox.take((i) => i === 'a', 1000, describeWait);
    inbox.put('a');
    await expect(again).resolves.toBe('a');
  });

  it('rejects a wait whose predicate throws, without breaking other waiters', async () => {
    const inbox = new Inbox<string>({ limit: 10 });
    const broken = inbox.take(
      () => {
        throw new Error('bad predicate');
      },
      1000,
      describeWait,
    );
    const fine = inbox.take((i) => i === 'a', 1000, describeWait);
    inbox.put('a');
    await expect(broken).rejects.toThrow('bad predicate');
    await expect(fine).resolves.toBe('a');
    inbox.put('x');
    await expect(
      inbox.take(
        () => {
          throw new Error('bad again');
        },
        1000,
        describeWait,
      ),
    ).rejects.toThrow('bad again');
  });

  it('refuses a negative limit', () => {
    expect(() => new Inbox({ limit: -1 })).toThrow(/limit must be an integer >= 0/);
  });
});
