import { jest } from '@jest/globals';
import { PresenceDiffs, type PresenceDiff } from './presence-diffs.js';

interface User {
  id: string;
}

function setup(intervalMs = 1000, count = (room: string) => Promise.resolve(room.length)) {
  const sent: PresenceDiff<User>[] = [];
  const errors: unknown[] = [];
  const diffs = new PresenceDiffs<User>(
    { keyOf: (u) => u.id, send: (diff) => sent.push(diff), intervalMs },
    count,
    (error) => errors.push(error),
  );
  return { diffs, sent, errors };
}

const ids = (users: User[]) => users.map((u) => u.id);

/** Runs the timers due and lets the diffs' promises settle. */
async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

describe('PresenceDiffs', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends the first change of a quiet room at the next turn, with the count', async () => {
    const { diffs, sent } = setup();
    diffs.joined('room', { id: 'a' });
    diffs.joined('room', { id: 'b' });
    expect(sent).toEqual([]);
    await advance(0);
    expect(sent).toEqual([
      { room: 'room', joined: [{ id: 'a' }, { id: 'b' }], left: [], count: 4 },
    ]);
  });

  it('sends at most one diff per room per interval, gathering the changes in between', async () => {
    const { diffs, sent } = setup(1000);
    diffs.joined('room', { id: 'a' });
    await advance(0);
    for (let i = 0; i < 500; i++) diffs.joined('room', { id: `u${i}` });
    diffs.left('room', { id: 'a' });
    await advance(999);
    expect(sent).toHaveLength(1);
    await advance(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.joined).toHaveLength(500);
    expect(ids(sent[1]!.left)).toEqual(['a']);
    // Nothing more changed: no empty diff, and the room lets go of its state and timer.
    await advance(5000);
    expect(sent).toHaveLength(2);
    expect(diffs.isActive('room')).toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('cancels a join and a leave of the same member within an interval, and lists a key once', async () => {
    const { diffs, sent } = setup();
    diffs.joined('room', { id: 'x' });
    await advance(0);
    diffs.joined('room', { id: 'a' });
    diffs.joined('room', { id: 'a' });
    diffs.left('room', { id: 'a' });
    diffs.left('room', { id: 'x' });
    diffs.joined('room', { id: 'x' });
    diffs.joined('room', { id: 'b' });
    await advance(1000);
    expect(sent.map((d) => [ids(d.joined), ids(d.left)])).toEqual([
      [['x'], []],
      [['b'], []],
    ]);
  });

  it('keeps rooms apart', async () => {
    const { diffs, sent } = setup();
    diffs.joined('one', { id: 'a' });
    diffs.left('two', { id: 'b' });
    await advance(0);
    expect(sent.map((d) => d.room).sort()).toEqual(['one', 'two']);
    expect(diffs.isActive('one')).toBe(true);
    expect(diffs.isActive('three')).toBe(false);
  });

  it('keeps the order of a room’s diffs when a count is slow', async () => {
    const resolvers: ((n: number) => void)[] = [];
    const { diffs, sent } = setup(10, () => new Promise((resolve) => resolvers.push(resolve)));
    diffs.joined('room', { id: 'a' });
    await advance(0);
    diffs.joined('room', { id: 'b' });
    await advance(10);
    // The second count is not even asked before the first is known.
    expect(resolvers).toHaveLength(1);
    resolvers[0]!(1);
    await advance(0);
    resolvers[1]!(2);
    await advance(0);
    expect(sent.map((d) => [ids(d.joined), d.count])).toEqual([
      [['a'], 1],
      [['b'], 2],
    ]);
  });

  it('reports a failing count or send and goes on', async () => {
    let fail = true;
    const { diffs, sent, errors } = setup(10, () =>
      fail ? Promise.reject(new Error('down')) : Promise.resolve(3),
    );
    diffs.joined('room', { id: 'a' });
    await advance(0);
    expect(errors).toHaveLength(1);
    fail = false;
    diffs.joined('room', { id: 'b' });
    await advance(10);
    expect(sent.map((d) => ids(d.joined))).toEqual([['b']]);
  });

  it('sends nothing once stopped, and holds no timer', async () => {
    const { diffs, sent } = setup();
    diffs.joined('room', { id: 'a' });
    diffs.stop();
    diffs.joined('room', { id: 'b' });
    await advance(2000);
    expect(sent).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses a negative interval', () => {
    expect(() => setup(-1)).toThrow(RangeError);
  });
});
