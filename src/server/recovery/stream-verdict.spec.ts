import { NO_TARGET, type MessageDelivery } from '../broker/delivery.js';
import { InProcessStreamLog } from './in-process.stream-log.js';
import type { HistoryRule } from './stream-log.js';
import { verdictOf, type StreamClaim } from './stream-verdict.js';

const push = (n: number, except: string[] = []): MessageDelivery => ({
  kind: 'message',
  target: { ...NO_TARGET, rooms: ['a'], except },
  frame: JSON.stringify({ event: 'm', data: { n } }),
  volatile: false,
});

async function logWith(count: number, rule: HistoryRule = { size: 5, ttlMs: 60_000 }) {
  const log = new InProcessStreamLog();
  await log.start(() => undefined);
  for (let n = 1; n <= count; n++) await log.append('room:a', push(n, n === 4 ? ['c1'] : []), rule);
  const { e } = await log.top('room:a');
  return { log, e, rule };
}

const claim = (over: Partial<StreamClaim> & Pick<StreamClaim, 'rule'>): StreamClaim => ({
  client: undefined,
  start: undefined,
  overflowed: false,
  session: { connectionId: 'c1', userId: 'u', rooms: ['a'] },
  ...over,
});

describe('verdictOf', () => {
  it('replays what followed the client, minus what left the session out', async () => {
    const { log, e, rule } = await logWith(6);
    const v = await verdictOf(log, 'room:a', claim({ rule, client: { e, o: 2 } }));
    expect(v).toMatchObject({ recovered: true, top: { e, o: 6 } });
    expect(v.replay.map((d) => d.position.o)).toEqual([3, 5, 6]);
  });

  it('resumes from the later of the client and the start: never before the join', async () => {
    const { log, e, rule } = await logWith(6);
    const v = await verdictOf(
      log,
      'room:a',
      claim({ rule, client: { e, o: 1 }, start: { e, o: 5 } }),
    );
    expect(v.replay.map((d) => d.position.o)).toEqual([6]);
    const fromStart = await verdictOf(log, 'room:a', claim({ rule, start: { e, o: 5 } }));
    expect(fromStart.replay.map((d) => d.position.o)).toEqual([6]);
  });

  it.each([
    ['a client of another epoch', { client: { e: 'old', o: 1 } }, 'epoch_changed'],
    ['a start of another epoch and no client', { start: { e: 'old', o: 1 } }, 'epoch_changed'],
    ['neither position', {}, 'history_gap'],
    ['a position beyond the top', { client: { e: 'E', o: 9 } }, 'position_ahead'],
    ['more missed than kept', { client: { e: 'E', o: 0 } }, 'history_gap'],
    ['held pushes dropped', { client: { e: 'E', o: 5 }, overflowed: true }, 'overflow'],
  ])('%s fails closed, replaying nothing', async (_name, over, reason) => {
    const { log, e, rule } = await logWith(7);
    const fix = (p?: { e: string; o: number }) => p && { ...p, e: p.e === 'E' ? e : p.e };
    const o = over as Partial<StreamClaim>;
    const v = await verdictOf(
      log,
      'room:a',
      claim({ rule, ...o, client: fix(o.client), start: fix(o.start) }),
    );
    expect(v).toMatchObject({ recovered: false, reason, replay: [] });
  });

  it('a store that does not answer is unavailable', async () => {
    const { log, rule } = await logWith(1);
    log.read = () => Promise.reject(new Error('down'));
    const v = await verdictOf(log, 'room:a', claim({ rule, client: { e: 'x', o: 0 } }));
    expect(v).toMatchObject({ recovered: false, reason: 'unavailable', top: undefined });
  });
});
