/**
 * A set of listeners called in the order they were added. A listener that throws does not stop
 * the others: its error goes to `onListenerError`.
 */
export class ListenerSet<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** Number of listeners. */
  get size(): number {
    return this.listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void {
    // A wrapper, so adding the same function twice gives two independent subscriptions.
    const entry = (value: T): void => listener(value);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** Calls every listener with `value`. */
  emit(value: T, onListenerError: (error: unknown) => void): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        onListenerError(error);
      }
    }
  }
}
