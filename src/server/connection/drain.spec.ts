import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { drainSockets } from './drain.js';

/** A socket that answers the close frame at once (polite) or never (silent). */
class FakeSocket extends EventEmitter {
  readyState = 1;
  closeCode: number | undefined;
  terminated = false;
  constructor(
    private readonly polite: boolean,
    private readonly log: number[],
    private readonly index: number,
  ) {
    super();
  }
  close(code: number): void {
    this.closeCode = code;
    this.readyState = 2;
    this.log.push(this.index);
    if (this.polite) setImmediate(() => this.finish());
  }
  terminate(): void {
    this.terminated = true;
    setImmediate(() => this.finish());
  }
  private finish(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close');
  }
}

const fakes = (count: number, polite: (i: number) => boolean, log: number[]) =>
  Array.from({ length: count }, (_, i) => new FakeSocket(polite(i), log, i));

describe('drainSockets', () => {
  it('closes 10 000 sockets with 1001 in batches, in order, without terminating polite ones', async () => {
    const log: number[] = [];
    const sockets = fakes(10_000, () => true, log);
    await drainSockets(sockets as unknown as WebSocket[], { drainMs: 10_000, batchSize: 500 });
    expect(sockets.every((s) => s.closeCode === 1001 && s.readyState === 3)).toBe(true);
    expect(sockets.some((s) => s.terminated)).toBe(false);
    expect(log).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });

  it('terminates peers that never answer once the budget is spent', async () => {
    const log: number[] = [];
    const sockets = fakes(6, (i) => i % 2 === 0, log);
    await drainSockets(sockets as unknown as WebSocket[], { drainMs: 60, batchSize: 2 });
    expect(sockets.map((s) => s.terminated)).toEqual([false, true, false, true, false, true]);
    expect(sockets.every((s) => s.readyState === 3 && s.closeCode === 1001)).toBe(true);
  });

  it('skips sockets that are already closing', async () => {
    const log: number[] = [];
    const [closing, open] = fakes(2, () => true, log);
    closing!.readyState = 2;
    setImmediate(() => closing!.emit('close'));
    closing!.once('close', () => (closing!.readyState = 3));
    await drainSockets([closing, open] as unknown as WebSocket[], { drainMs: 1000, batchSize: 10 });
    expect(log).toEqual([1]);
  });
});
