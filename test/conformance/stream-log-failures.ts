import { offsets, push, received, RULE } from './stream-log-conformance.js';
import type { Logs } from './stream-log-harness.js';

/**
 * What a stream log does when its backend fails (docs/recovery-design.md, section 1, "Redis down
 * or slow"): the append rejects and is counted, and the stream's next push opens a new epoch, so
 * that a client resuming across the outage is told its history was lost, never silently missing
 * a push. Run once per outage the backend can stage.
 */
export function streamLogFailureConformance(logs: Logs, outages: readonly string[]): void {
  for (const name of outages) {
    it(`${name}: an append rejects and is counted, and the stream's next append opens a new epoch`, async () => {
      const [a, b] = await logs.start(2);
      await Promise.all([a!.follow('room:down'), b!.follow('room:down')]);
      await a!.log.append('room:down', push(1), RULE);
      const before = await a!.log.top('room:down');
      const outage = logs.backend().outages![name]!;

      await outage.begin('room:down');
      await expect(a!.log.append('room:down', push(2), RULE)).rejects.toThrow();
      expect(a!.log.health()).toEqual({ appended: 1, appendFailures: 1 });
      await outage.end();
      await Promise.all([a!.parts.ready(), b!.parts.ready()]);

      await a!.log.append('room:down', push(3), RULE);
      const top = await b!.log.top('room:down');
      expect(top.e).not.toBe(before.e);
      expect(top.o).toBe(1);
      await received(a!, 'room:down', 2);
      // The failed push was served unpositioned by its publisher: a script that ran late is
      // not delivered to it again.
      expect(a!.of('room:down').map((d) => d.position)).toEqual([
        { stream: 'room:down', ...before },
        { stream: 'room:down', e: top.e, o: 1 },
      ]);
      expect(offsets((await b!.log.read('room:down', 0, 10)).entries)).toEqual([1]);
      expect(a!.log.health()).toEqual({ appended: 2, appendFailures: 1 });
    });
  }
}
