/** How long to wait, and for which item. */
export interface ExpectOptions<T> {
  /** Milliseconds before the promise rejects. Defaults to the test client's `expectTimeoutMs`. */
  timeout?: number;
  /** Only an item for which this returns true counts; the others stay buffered. */
  where?: (item: T) => boolean;
}

/** Thrown (as a rejection) when nothing matching arrived in time, or the inbox was closed. */
export class ExpectationError extends Error {
  override readonly name = 'ExpectationError';
}

interface Waiter<T> {
  match(item: T): boolean;
  resolve(item: T): void;
  reject(error: Error): void;
  describe(): string;
  timer: ReturnType<typeof setTimeout>;
}

/** How an {@link Inbox} hands out buffered items. */
export interface InboxOptions {
  /** Most items kept for a later `take`; the oldest is dropped first. 0 buffers nothing. */
  limit: number;
  /**
   * `true`: items form a sequence, and taking one also discards every older buffered item (for
   * state changes: "then it goes `open`" means after the last change taken). `false`: a take
   * removes only the item it returns (for pushes: other events stay buffered).
   * @default false
   */
  ordered?: boolean;
}

/**
 * What a test waits for, whether it came before or after the wait began: an arriving item goes
 * to the oldest waiter it matches, or is buffered for a later `take`. Each item is handed out
 * once. Every `take` settles: a match, its timeout, or `close()`.
 */
export class Inbox<T> {
  private readonly items: T[] = [];
  private waiters: Waiter<T>[] = [];
  private closedBecause: string | undefined;
  private readonly limit: number;
  private readonly ordered: boolean;

  constructor({ limit, ordered = false }: InboxOptions) {
    this.limit = limit;
    this.ordered = ordered;
    if (!Number.isInteger(limit) || limit < 0) {
      throw new TypeError(`Inbox: limit must be an integer >= 0 (got ${limit}).`);
    }
  }

  /** Items received and not taken yet, oldest first. */
  get buffered(): readonly T[] {
    return this.items;
  }

  /** Number of pending `take`s. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Hands `item` to the oldest matching waiter, or buffers it. */
  put(item: T): void {
    for (const waiter of this.waiters) {
      let matches: boolean;
      try {
        matches = waiter.match(item);
      } catch (error) {
        this.settle(waiter);
        waiter.reject(asError(error));
        continue;
      }
      if (!matches) continue;
      this.settle(waiter);
      if (this.ordered) this.items.length = 0;
      return waiter.resolve(item);
    }
    if (this.limit === 0) return;
    this.items.push(item);
    if (this.items.length > this.limit) this.items.shift();
  }

  /**
   * The oldest buffered item that matches, or the next one to arrive within `timeoutMs`. Rejects
   * with an {@link ExpectationError} whose message is `describe()` plus the reason.
   */
  take(match: (item: T) => boolean, timeoutMs: number, describe: () => string): Promise<T> {
    let index: number;
    try {
      index = this.items.findIndex(match);
    } catch (error) {
      return Promise.reject(asError(error));
    }
    if (index >= 0) {
      const taken = this.ordered ? this.items.splice(0, index + 1) : this.items.splice(index, 1);
      return Promise.resolve(taken[taken.length - 1] as T);
    }
    if (this.closedBecause !== undefined) {
      return Promise.reject(new ExpectationError(`${describe()}: ${this.closedBecause}`));
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        match,
        resolve,
        reject,
        describe,
        timer: setTimeout(() => {
          this.settle(waiter);
          reject(new ExpectationError(`${describe()}: nothing within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Drops every buffered item. */
  clear(): void {
    this.items.length = 0;
  }

  /** Accepts waits again after {@link close}. */
  reopen(): void {
    this.closedBecause = undefined;
  }

  /** Rejects every pending `take`, and later ones that find nothing buffered. */
  close(reason: string): void {
    this.closedBecause = reason;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new ExpectationError(`${waiter.describe()}: ${reason}`));
    }
  }

  private settle(waiter: Waiter<T>): void {
    clearTimeout(waiter.timer);
    this.waiters = this.waiters.filter((w) => w !== waiter);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
