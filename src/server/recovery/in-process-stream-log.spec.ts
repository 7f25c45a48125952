import { InProcessStreamLog, type HistoryRule } from './in-process-stream-log.js';

const frame = (n: number) => JSON.stringify({ event: 'chat:message', data: { n } });

function setup(rule: HistoryRule = { size: 5, ttlMs: 60_000 }) {
  let now = 1_000;
  let epochs = 0;
  const log = new InProcessStreamLog(
    () => rule,
    () => now,
    () => `epoch${++epochs}`,
  );
  return { log, advance: (ms: number) => void (now += ms) };
}

describe('InProcessStreamLog', () => {
  it('numbers a stream’s pushes from 1 and puts the position in front of the frame', () => {
    const { log } = setup();
    expect(log.top('room:a')).toEqual({ e: 'epoch1', o: 0 });
    const first = log.append('room:a', frame(1));
    const second = log.append('room:a', frame(2));
    expect([first.position, second.position]).toEqual([
      { e: 'epoch1', o: 1 },
      { e: 'epoch1', o: 2 },
    ]);
    expect(JSON.parse(second.frame)).toEqual({
      o: 2,
      e: 'epoch1',
      s: 'room:a',
      event: 'chat:message',
      data: { n: 2 },
    });
    // Streams count on their own, each in an epoch of its own.
    expect(log.append('user:bob', frame(3)).position).toEqual({ e: 'epoch2', o: 1 });
  });

  it('reads what followed a position, in order, and says it is contiguous', () => {
    const { log } = setup();
    for (let n = 1; n <= 4; n++) log.append('room:a', frame(n));
    const read = log.read('room:a', 1, 10);
    expect(read.top).toEqual({ e: 'epoch1', o: 4 });
    expect(read.entries.map((e) => e.o)).toEqual([2, 3, 4]);
    expect(read.entries.map((e) => JSON.parse(e.frame).data.n)).toEqual([2, 3, 4]);
    expect(read.contiguous).toBe(true);
    expect(log.read('room:a', 4, 10)).toMatchObject({ entries: [], contiguous: true });
    expect(log.read('room:a', 0, 2).entries.map((e) => e.o)).toEqual([1, 2]);
  });

  it('keeps the last `size` entries: a position older than them is a gap', () => {
    const { log } = setup({ size: 3, ttlMs: 60_000 });
    for (let n = 1; n <= 7; n++) log.append('room:a', frame(n));
    expect(log.read('room:a', 4, 10)).toMatchObject({ contiguous: true });
    expect(log.read('room:a', 4, 10).entries.map((e) => e.o)).toEqual([5, 6, 7]);
    const gap = log.read('room:a', 2, 10);
    expect(gap.contiguous).toBe(false);
    expect(gap.entries.map((e) => e.o)).toEqual([5, 6, 7]);
  });

  it('drops entries older than `ttlMs`, keeping the epoch and the offset', () => {
    const { log, advance } = setup({ size: 10, ttlMs: 1_000 });
    log.append('room:a', frame(1));
    advance(600);
    log.append('room:a', frame(2));
    advance(600);
    const read = log.read('room:a', 0, 10);
    expect(read.entries.map((e) => e.o)).toEqual([2]);
    expect(read.contiguous).toBe(false);
    expect(log.read('room:a', 1, 10).contiguous).toBe(true);
    advance(1_000);
    expect(log.read('room:a', 1, 10)).toMatchObject({ entries: [], contiguous: false });
    expect(log.read('room:a', 2, 10)).toMatchObject({
      top: { e: 'epoch1', o: 2 },
      contiguous: true,
    });
  });

  it('a new log is a new epoch: history from before a restart is never presented as current', () => {
    const before = new InProcessStreamLog(() => ({ size: 10, ttlMs: 60_000 }));
    const after = new InProcessStreamLog(() => ({ size: 10, ttlMs: 60_000 }));
    before.append('room:a', frame(1));
    expect(after.top('room:a').e).not.toBe(before.top('room:a').e);
    expect(after.top('room:a').e).toMatch(/^[\w-]{8}$/);
  });

  it('a stream with no history kept still numbers its pushes', () => {
    const { log } = setup({ size: 0, ttlMs: 60_000 });
    log.append('room:a', frame(1));
    expect(log.read('room:a', 0, 10)).toMatchObject({
      top: { o: 1 },
      entries: [],
      contiguous: false,
    });
  });
});
