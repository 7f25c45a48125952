import { jest } from '@jest/globals';
import { TIMED_OUT, within } from './within.js';

describe('within', () => {
  afterEach(() => jest.useRealTimers());

  it('settles like the work when it is in time, and clears its timer', async () => {
    jest.useFakeTimers();
    await expect(within(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(within(Promise.reject(new Error('no')), 1000)).rejects.toThrow('no');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resolves TIMED_OUT when the time runs out first', async () => {
    jest.useFakeTimers();
    const pending = within(new Promise<never>(() => undefined), 50);
    jest.advanceTimersByTime(50);
    await expect(pending).resolves.toBe(TIMED_OUT);
  });
});
