/**
 * A first-in first-out queue, bounded for new items: `push` refuses past `max` (so the caller
 * can reject with `QUEUE_FULL`) unless forced.
 */
export class OfflineQueue<T> {
  private items: T[] = [];

  constructor(readonly max: number) {}

  /** Number of queued items. */
  get size(): number {
    return this.items.length;
  }

  /**
   * Appends an item; `false` (and nothing queued) when the queue is full. `force` appends past
   * the bound (an item accepted earlier that goes back to waiting).
   */
  push(item: T, force = false): boolean {
    if (this.items.length >= this.max && !force) return false;
    this.items.push(item);
    return true;
  }

  /** The oldest item, left in the queue. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    return this.items.shift();
  }

  /** Removes one item (a request that timed out while queued); `false` when it was not there. */
  remove(item: T): boolean {
    const index = this.items.indexOf(item);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  /** Empties the queue and returns its items, oldest first. */
  drain(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}
