/** The callers of `connect()` waiting for the client to open. */
export class OpenWaiters {
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /** A promise that settles at the next open or failure (a rejection nobody awaits is fine). */
  add(): Promise<void> {
    const opened = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    // Callers that only watch `onState` need not handle the rejection.
    opened.catch(() => undefined);
    return opened;
  }

  /** The client opened. */
  resolve(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** The client stopped, or gave up for now: every waiter gets `error`. */
  reject(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
