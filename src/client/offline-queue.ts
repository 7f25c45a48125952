/**
 * A bounded first-in first-out queue of what was sent while the client was not open. It never
 * grows past `max`: `push` refuses instead, so the caller can reject with `QUEUE_FULL`.
 */
export class OfflineQueue<T> {
  private items: T[] = [];

  constructor(readonly max: number) {}

  /** Number of queued items. */
  get size(): number {
    return this.items.length;
  }

  /** Appends an item; `false` (and nothing queued) when the queue is full. */
  push(item: T): boolean {
    if (this.items.length >= this.max) return false;
    this.items.push(item);
    return true;
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
