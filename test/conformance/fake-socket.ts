import { EventEmitter } from 'node:events';

/**
 * Just enough of a `ws` socket for a registry: it records the events of the pushes it is sent
 * and how it was closed, and lets a test await a push or the close instead of sleeping.
 */
export class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  /** The events of the pushes received, in order. */
  readonly events: string[] = [];
  closedWith: [code: number, reason: string] | undefined;
  private waiters: { event: string; resolve: () => void }[] = [];
  private onClose: (() => void)[] = [];

  send(frame: string | Buffer): void {
    const { event } = JSON.parse(frame.toString()) as { event: string };
    this.events.push(event);
    const ready = this.waiters.filter((w) => w.event === event);
    this.waiters = this.waiters.filter((w) => w.event !== event);
    for (const waiter of ready) waiter.resolve();
  }

  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 2;
    for (const resolve of this.onClose.splice(0)) resolve();
  }

  /** Resolves once a push of `event` has arrived (at once if it already has). */
  received(event: string): Promise<void> {
    if (this.events.includes(event)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ event, resolve }));
  }

  /** Resolves with the close code and reason once the socket has been closed. */
  async closed(): Promise<[code: number, reason: string]> {
    if (!this.closedWith) await new Promise<void>((resolve) => this.onClose.push(resolve));
    return this.closedWith!;
  }
}
