import { positionedFrame, RecoveryReason } from '../../src/protocol/index.js';
import {
  NO_TARGET,
  type DeliveryTarget,
  type MessageDelivery,
} from '../../src/server/broker/delivery.js';
import type { HistoryRule, PositionedDelivery } from '../../src/server/recovery/stream-log.js';
import { verdictOf } from '../../src/server/recovery/stream-verdict.js';
import { waitFor } from '../support/wait-for.js';
import { useLogs, type LogNode, type StreamLogFactory } from './stream-log-harness.js';
import { streamLogFailureConformance } from './stream-log-failures.js';

export type { LogParts, Outage, StreamLogBackend, StreamLogFactory } from './stream-log-harness.js';

export const RULE: HistoryRule = { size: 1000, ttlMs: 60_000 };

/** A push as `emit()` builds it, with a target that names the stream's room and leaves some out. */
export function push(data: unknown, rooms = ['chat']): MessageDelivery {
  const target: DeliveryTarget = {
    ...NO_TARGET,
    rooms,
    except: ['conn-1'],
    exceptRooms: ['earlier'],
  };
  return {
    kind: 'message',
    target,
    frame: JSON.stringify({ event: 'msg', data }),
    volatile: false,
  };
}

export const offsets = (deliveries: readonly PositionedDelivery[]): number[] =>
  deliveries.map((d) => d.position.o);

/** Waits until `node` received `count` pushes of `stream`. */
export async function received(node: LogNode, stream: string, count: number): Promise<void> {
  await waitFor(() => node.of(stream).length >= count, `${count} pushes of ${stream}`);
}

/**
 * The contract of a `StreamLog` (docs/recovery-design.md, sections 1-2), run against real
 * instances of one backend, each a stream log and the bus it delivers through. Call it in a spec
 * file with a factory of fresh backends (and the names of its outages), e.g.
 * `describeStreamLogConformance('in-process', async () => inProcessLogs())`.
 */
export function describeStreamLogConformance(
  name: string,
  factory: StreamLogFactory,
  /** The backend's `outages` to run the failure tests with (none in-process). */
  outages: readonly string[] = [],
): void {
  describe(`stream log conformance: ${name}`, () => {
    const logs = useLogs(factory);

    it('numbers each stream 1, 2, 3 and puts the position in front of the frame exactly', async () => {
      const [a] = await logs.start(1);
      await a!.follow('room:a', 'user:bob', 'all');
      const sent = [push(1), push(2), push(3)];
      for (const delivery of sent) await a!.log.append('room:a', delivery, RULE);
      await a!.log.append('user:bob', push('u'), RULE);
      await a!.log.append('all', push('all'), RULE);
      await received(a!, 'room:a', 3);
      await received(a!, 'all', 1);

      const room = a!.of('room:a');
      expect(offsets(room)).toEqual([1, 2, 3]);
      const epoch = room[0]!.position.e;
      expect(epoch).toMatch(/^[\w-]{1,16}$/);
      room.forEach((delivery, i) => {
        const position = { stream: 'room:a', e: epoch, o: i + 1 };
        expect(delivery).toEqual({
          ...sent[i],
          frame: positionedFrame(sent[i]!.frame, 'room:a', position),
          position,
        });
      });
      expect(offsets(a!.of('user:bob'))).toEqual([1]);
      expect(a!.of('all')[0]!.frame).toBe(
        positionedFrame(push('all').frame, 'all', a!.of('all')[0]!.position),
      );
      await expect(a!.log.top('room:a')).resolves.toEqual({ e: epoch, o: 3 });
      await expect(a!.log.read('room:a', 0, 10)).resolves.toEqual({
        top: { e: epoch, o: 3 },
        entries: room,
      });
    });

    it('keeps streams apart whatever their names hold (braces, quotes, unicode)', async () => {
      const [a] = await logs.start(1);
      const streams = ['room:{t}1', 'room:{t}2', 'room:a}b', 'room:{}', 'room:"q" é', 'user:{t}1'];
      await a!.follow(...streams);
      for (const [i, stream] of streams.entries()) {
        for (let n = 0; n <= i; n++) await a!.log.append(stream, push(n), RULE);
      }
      for (const [i, stream] of streams.entries()) {
        await received(a!, stream, i + 1);
        expect(offsets(a!.of(stream))).toEqual(Array.from({ length: i + 1 }, (_, n) => n + 1));
        await expect(a!.log.read(stream, 0, 10)).resolves.toMatchObject({
          entries: a!.of(stream),
        });
      }
    });

    it('delivers a stream to every instance in offset order, each push once, under concurrent appends', async () => {
      const [a, b] = await logs.start(2);
      await Promise.all([a!.follow('room:race'), b!.follow('room:race')]);
      const appends: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        appends.push(a!.log.append('room:race', push({ from: 'a', i }), RULE));
        appends.push(b!.log.append('room:race', push({ from: 'b', i }), RULE));
      }
      await Promise.all(appends);
      await Promise.all([received(a!, 'room:race', 400), received(b!, 'room:race', 400)]);

      for (const node of [a!, b!]) {
        const got = node.of('room:race');
        expect(offsets(got)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
        expect(new Set(got.map((d) => d.position.e)).size).toBe(1);
        const datas = got.map(
          (d) => (JSON.parse(d.frame) as { data: { from: string; i: number } }).data,
        );
        for (const from of ['a', 'b']) {
          // Each push once, and each publisher's pushes in the order it appended them.
          const mine = datas.filter((d) => d.from === from).map((d) => d.i);
          expect(mine).toEqual(Array.from({ length: 200 }, (_, i) => i));
        }
      }
      expect(b!.of('room:race')).toEqual(a!.of('room:race'));
      await expect(a!.log.read('room:race', 0, 1000)).resolves.toMatchObject({
        entries: a!.of('room:race'),
      });
    });

    it('reads what it kept after an offset, at most a limit, trimmed to the size', async () => {
      const [a] = await logs.start(1);
      await a!.follow('room:t');
      const rule = { size: 3, ttlMs: 60_000 };
      for (let n = 1; n <= 5; n++) await a!.log.append('room:t', push(n), rule);
      await received(a!, 'room:t', 5);
      const kept = a!.of('room:t').slice(2);

      const all = await a!.log.read('room:t', 0, 10);
      expect(all).toEqual({ top: { e: kept[0]!.position.e, o: 5 }, entries: kept });
      expect(offsets((await a!.log.read('room:t', 3, 10)).entries)).toEqual([4, 5]);
      expect(offsets((await a!.log.read('room:t', 2, 1)).entries)).toEqual([3]);
      expect((await a!.log.read('room:t', 5, 10)).entries).toEqual([]);
      expect((await a!.log.read('room:t', 0, 0)).entries).toEqual([]);

      // Size 0: positioned and delivered, not kept.
      await a!.log.append('room:t', push(6), { size: 0, ttlMs: 60_000 });
      await received(a!, 'room:t', 6);
      expect(a!.of('room:t')[5]!.position.o).toBe(6);
    });

    it('gives an unknown stream offset 0 in an epoch that its first append keeps', async () => {
      const [a, b] = await logs.start(2);
      await a!.follow('room:new');
      const top = await a!.log.top('room:new');
      expect(top).toEqual({ e: expect.stringMatching(/^[\w-]{1,16}$/), o: 0 });
      await expect(b!.log.read('room:new', 0, 10)).resolves.toEqual({ top, entries: [] });
      await b!.log.append('room:new', push(1), RULE);
      await received(a!, 'room:new', 1);
      expect(a!.of('room:new')[0]!.position).toEqual({ stream: 'room:new', e: top.e, o: 1 });
    });

    it('drops entries older than ttlMs and keeps the position', async () => {
      const [a] = await logs.start(1);
      await a!.follow('room:ttl');
      const rule = { size: 10, ttlMs: 50 };
      await a!.log.append('room:ttl', push(1), rule);
      await a!.log.append('room:ttl', push(2), rule);
      const { e } = await a!.log.top('room:ttl');
      await waitFor(
        async () => (await a!.log.read('room:ttl', 0, 10)).entries.length === 0,
        'the entries to expire',
      );
      await expect(a!.log.top('room:ttl')).resolves.toEqual({ e, o: 2 });
      await a!.log.append('room:ttl', push(3), rule);
      const after = await a!.log.read('room:ttl', 0, 10);
      expect(after.entries.map((d) => d.position)).toEqual([{ stream: 'room:ttl', e, o: 3 }]);
    });

    it('drops entries older than ttlMs from a busy stream, so a resume that needs them is a gap', async () => {
      const [a] = await logs.start(1);
      // Far more room than pushes, so only the age can drop the first.
      const rule = { size: 100_000, ttlMs: 1000 };
      await a!.log.append('room:busy', push(1), rule);
      const { e } = await a!.log.top('room:busy');
      // A push each millisecond at most: the stream never goes quiet, until the first aged out.
      let n = 1;
      let last = Date.now();
      await waitFor(async () => {
        if (Date.now() !== last) {
          last = Date.now();
          await a!.log.append('room:busy', push(++n), rule);
        }
        // The first two: a client that saw the first then needs the second, gone for good.
        return ((await a!.log.read('room:busy', 0, 1)).entries[0]?.position.o ?? 0) > 2;
      }, 'the first two pushes to age out of a busy stream');
      expect(n).toBeLessThan(rule.size);
      const { top, entries } = await a!.log.read('room:busy', 0, rule.size);
      expect(top).toEqual({ e, o: n });
      // What is kept is the newest run, without a hole, up to the last push.
      const first = entries[0]!.position.o;
      expect(first).toBeGreaterThan(2);
      expect(offsets(entries)).toEqual(Array.from({ length: n - first + 1 }, (_, i) => first + i));
      // A client that saw only the first push (it needs the second) is told history_gap, with
      // nothing replayed.
      const claim = (o: number) => ({
        client: { e, o },
        start: { e, o: 0 },
        rule,
        overflowed: false,
        session: { connectionId: 'conn-9', userId: 'u', rooms: ['chat'] },
      });
      await expect(verdictOf(a!.log, 'room:busy', claim(1))).resolves.toMatchObject({
        recovered: false,
        reason: RecoveryReason.HISTORY_GAP,
        replay: [],
      });
      // One that saw all but the last gets exactly the last.
      const recent = await verdictOf(a!.log, 'room:busy', claim(n - 1));
      expect(recent.recovered).toBe(true);
      expect(offsets(recent.replay)).toEqual([n]);
    });

    it('opens a new epoch when the backend lost its data', async () => {
      const [a] = await logs.start(1);
      await a!.follow('room:lost');
      await a!.log.append('room:lost', push(1), RULE);
      await a!.log.append('room:lost', push(2), RULE);
      const before = await a!.log.top('room:lost');
      await logs.backend().lose();

      const top = await a!.log.top('room:lost');
      expect(top.o).toBe(0);
      expect(top.e).not.toBe(before.e);
      await a!.log.append('room:lost', push(3), RULE);
      await received(a!, 'room:lost', 3);
      expect(a!.of('room:lost')[2]!.position).toEqual({ stream: 'room:lost', e: top.e, o: 1 });
      expect(offsets((await a!.log.read('room:lost', 0, 10)).entries)).toEqual([1]);
      expect(a!.log.health()).toEqual({ appended: 3, appendFailures: 0 });
    });

    it('keeps the newest push of each key of a latest-value stream, at most size keys', async () => {
      const [a, b] = await logs.start(2);
      await b!.follow('room:px');
      const rule = { size: 2, ttlMs: 60_000, conflate: true };
      const keyed = (n: number, latest: string) => ({ ...push(n), latest });
      for (const [n, key] of [
        [1, 'A'],
        [2, 'B'],
        [3, 'A'],
        [4, 'C'],
        [5, 'C'],
      ] as const) {
        await a!.log.append('room:px', keyed(n, key), rule);
      }
      // Every push is delivered, with its key, to every instance.
      await received(b!, 'room:px', 5);
      expect(b!.of('room:px').map((d) => d.latest)).toEqual(['A', 'B', 'A', 'C', 'C']);
      // Kept: the newest of each key, in offset order, B forgotten as the third key came.
      const read = await b!.log.read('room:px', 0, 10);
      expect(read.top.o).toBe(5);
      expect(read.entries.map((d) => [d.latest, d.position.o])).toEqual([
        ['A', 3],
        ['C', 5],
      ]);
      expect(offsets((await b!.log.read('room:px', 3, 10)).entries)).toEqual([5]);
    });

    if (outages.length > 0) describe('failures', () => streamLogFailureConformance(logs, outages));
  });
}
