import type { MessageDelivery } from '../broker/delivery.js';
import { NO_TARGET } from '../broker/delivery.js';
import type { HistoryRule } from './stream-log.js';
import { StreamHistory } from './stream-history.js';

const push = (n: number): MessageDelivery => ({
  kind: 'message',
  target: { ...NO_TARGET, rooms: ['a'] },
  frame: JSON.stringify({ event: 'chat:message', data: { n } }),
  volatile: false,
});

function setup(maxStreams = 100) {
  let now = 1_000;
  let epochs = 0;
  const history = new StreamHistory({
    maxStreams,
    now: () => now,
    newEpoch: () => `epoch${++epochs}`,
  });
  return { history, advance: (ms: number) => void (now += ms) };
}

const rule: HistoryRule = { size: 5, ttlMs: 60_000 };
const offsets = (read: { entries: { position: { o: number } }[] }) =>
  read.entries.map((e) => e.position.o);

describe('StreamHistory', () => {
  it('numbers a stream’s pushes from 1 and puts the position in front of the frame', () => {
    const { history } = setup();
    expect(history.top('room:a')).toEqual({ e: 'epoch1', o: 0 });
    const first = history.append('room:a', push(1), rule);
    const second = history.append('room:a', push(2), rule);
    expect([first.position, second.position]).toEqual([
      { stream: 'room:a', e: 'epoch1', o: 1 },
      { stream: 'room:a', e: 'epoch1', o: 2 },
    ]);
    expect(JSON.parse(second.frame)).toEqual({
      o: 2,
      e: 'epoch1',
      s: 'room:a',
      event: 'chat:message',
      data: { n: 2 },
    });
    // The target travels with the entry: a replay applies its exclusions again.
    expect(second.target.rooms).toEqual(['a']);
    // Streams count on their own, each in an epoch of its own.
    expect(history.append('user:bob', push(3), rule).position).toMatchObject({ e: 'epoch2', o: 1 });
  });

  it('reads what followed an offset, in order, up to a limit', () => {
    const { history } = setup();
    for (let n = 1; n <= 4; n++) history.append('room:a', push(n), rule);
    const read = history.read('room:a', 1, 10);
    expect(read.top).toEqual({ e: 'epoch1', o: 4 });
    expect(offsets(read)).toEqual([2, 3, 4]);
    expect(read.entries.map((e) => JSON.parse(e.frame).data.n)).toEqual([2, 3, 4]);
    expect(history.read('room:a', 4, 10).entries).toEqual([]);
    expect(offsets(history.read('room:a', 0, 2))).toEqual([1, 2]);
  });

  it('keeps the last `size` entries', () => {
    const { history } = setup();
    for (let n = 1; n <= 7; n++) history.append('room:a', push(n), { size: 3, ttlMs: 60_000 });
    expect(offsets(history.read('room:a', 2, 10))).toEqual([5, 6, 7]);
  });

  it('drops entries older than `ttlMs`, keeping the epoch and the offset', () => {
    const { history, advance } = setup();
    const short = { size: 10, ttlMs: 1_000 };
    history.append('room:a', push(1), short);
    advance(600);
    history.append('room:a', push(2), short);
    advance(600);
    expect(offsets(history.read('room:a', 0, 10))).toEqual([2]);
    advance(1_000);
    expect(history.read('room:a', 0, 10)).toEqual({ top: { e: 'epoch1', o: 2 }, entries: [] });
  });

  it('a new history is a new epoch: history from before a restart is never presented as current', () => {
    const before = new StreamHistory();
    const after = new StreamHistory();
    before.append('room:a', push(1), rule);
    expect(after.top('room:a').e).not.toBe(before.top('room:a').e);
    expect(after.top('room:a').e).toMatch(/^[\w-]{8}$/);
  });

  it('a stream with no history kept still numbers its pushes', () => {
    const { history } = setup();
    history.append('room:a', push(1), { size: 0, ttlMs: 60_000 });
    expect(history.read('room:a', 0, 10)).toEqual({ top: { e: 'epoch1', o: 1 }, entries: [] });
  });

  it('forgets the least recently published stream beyond maxStreams, and its epoch with it', () => {
    const { history } = setup(2);
    history.append('room:a', push(1), rule);
    history.append('room:b', push(1), rule);
    history.append('room:a', push(2), rule);
    history.append('room:c', push(1), rule); // forgets room:b
    expect(history.top('room:a')).toEqual({ e: 'epoch1', o: 2 });
    expect(history.top('room:b')).toEqual({ e: 'epoch4', o: 0 });
  });
});

describe('StreamHistory, latest-value streams', () => {
  const latest = { size: 3, ttlMs: 60_000, conflate: true };
  const keyed = (n: number, key: string): MessageDelivery => ({ ...push(n), latest: key });

  it('keeps the newest push of each key, in offset order, offsets still counting every push', () => {
    const { history } = setup();
    history.append('room:t', keyed(1, 'A'), latest);
    history.append('room:t', keyed(2, 'B'), latest);
    history.append('room:t', keyed(3, 'A'), latest);
    const read = history.read('room:t', 0, 10);
    expect(read.top.o).toBe(3);
    expect(read.entries.map((e) => [e.latest, e.position.o])).toEqual([
      ['B', 2],
      ['A', 3],
    ]);
    expect(offsets(history.read('room:t', 2, 10))).toEqual([3]);
  });

  it('keeps at most `size` keys, forgetting the one published longest ago', () => {
    const { history } = setup();
    for (const [n, key] of [
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
      [4, 'A'],
      [5, 'D'],
    ] as const) {
      history.append('room:t', keyed(n, key), latest);
    }
    expect(history.read('room:t', 0, 10).entries.map((e) => e.latest)).toEqual(['C', 'A', 'D']);
  });
});
