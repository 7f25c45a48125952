import { NO_TARGET, type Delivery } from '../delivery.js';
import { LiveInstances } from './redis-live-instances.js';

const TTL = 1000;
const message = (n: number): Delivery => ({
  kind: 'message',
  target: { ...NO_TARGET, all: true },
  frame: `{"event":"m","data":${n}}`,
  volatile: false,
});
const disconnect: Delivery = { kind: 'disconnect', target: NO_TARGET, code: 4500, reason: 'r' };

/** LiveInstances over a fake heartbeat set, with checks resolved by hand. */
function setup(beats: Record<string, number>) {
  let now = 10_000;
  const delivered: Delivery[] = [];
  const refused: string[] = [];
  const checks: { id: string; resolve: () => void }[] = [];
  const live = new LiveInstances(
    (id) => new Promise((resolve) => checks.push({ id, resolve: () => resolve(beats[id]) })),
    TTL,
    (d) => delivered.push(d),
    (reason) => refused.push(reason),
    () => now,
  );
  const settle = async () => {
    for (const check of checks.splice(0)) check.resolve();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { live, delivered, refused, checks, settle, advance: (ms: number) => (now += ms) };
}

describe('commands on Redis come from live instances only', () => {
  it('messages pass at once whoever sent them; commands of an unknown instance are refused', async () => {
    const { live, delivered, refused, settle } = setup({});
    live.accept('stranger', message(1));
    expect(delivered).toEqual([message(1)]);
    live.accept('stranger', disconnect);
    live.accept('stranger', message(2));
    // Held in order behind the check.
    expect(delivered).toHaveLength(1);
    await settle();
    expect(delivered).toEqual([message(1), message(2)]);
    expect(refused).toEqual(['command of an instance that is not live']);
  });

  it('a live instance is checked once, and again when its last beat is older than the TTL', async () => {
    const { live, delivered, refused, checks, settle, advance } = setup({ a: 9_500 });
    live.accept('a', disconnect);
    expect(checks.map((c) => c.id)).toEqual(['a']);
    await settle();
    live.accept('a', disconnect);
    expect(delivered).toEqual([disconnect, disconnect]);
    advance(600);
    live.accept('a', disconnect);
    expect(checks).toHaveLength(1);
    await settle();
    // Its beat did not move: dead by now.
    expect(delivered).toHaveLength(2);
    expect(refused).toHaveLength(1);
  });

  it('a check that fails refuses the commands it held', async () => {
    const delivered: Delivery[] = [];
    const refused: string[] = [];
    const live = new LiveInstances(
      () => Promise.reject(new Error('down')),
      TTL,
      (d) => delivered.push(d),
      (reason) => refused.push(reason),
    );
    live.accept('b', disconnect);
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toEqual([]);
    expect(refused).toEqual(['command of an instance that is not live']);
  });
});
