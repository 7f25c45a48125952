/**
 * Side-by-side rounds: the floor, the module and a control loaded at the same time, in windows
 * that coincide, all on the server core.
 *
 * Why: on the machines this runs on, the speed of a core drifts by up to 2× within seconds (the
 * same raw `ws` server measured 168 to 489 µs of CPU per handshake in windows a few seconds
 * apart, with nothing else running). The per-server suites measure the floor and the module
 * minutes apart, and even 1 s windows taken one after another gave round ratios from 0.4× to
 * 1.5×. Loaded together, the servers share the core's time slices and whatever speed it has
 * then, so the ratio of their CPU time per operation no longer carries the drift (the same
 * comparison: 0.84× to 0.90× over 15 rounds). The CPU per operation itself is inflated by the
 * sharing (context switches, caches); the ratios are what these rounds are for.
 */
import { Conn, type Target } from './client.js';
import type { Throughput, Timing } from './measure.js';
import { handshakes, requestReply } from './scenarios.js';
import { ServerProcess, type ServerSpec } from './servers.js';
import { FLOOR } from './targets.js';
import { upgradeRequest, WS_ENVELOPE } from './wire.js';

/** results.json keys of the side-by-side windows: one row per round and server. */
export const SIDE_BY_SIDE = {
  reqrep: 'side-by-side-reqrep',
  handshakes: 'side-by-side-handshakes',
};

/**
 * The control: the floor in a process that also boots the module's benchmark app (idle, on
 * another port). Its ratio to the floor is what the process's footprint (Nest, the module,
 * their heap) costs code that is the same: the part of a gap no change to the module's hot path
 * can remove.
 */
export const IDLE_APP = 'raw-ws-idle-app';
const IDLE_APP_SPEC: ServerSpec = {
  name: IDLE_APP,
  label: 'raw ws, batched, beside an idle nestjs-realtime app',
  file: 'raw-ws.js',
  dialect: WS_ENVELOPE,
  env: { BENCH_VARIANT: 'batched', BENCH_IDLE_APP: '1' },
};

/** The servers each side-by-side scenario compares (the floor first), as far as they are run. */
const COMPARED = {
  reqrep: [FLOOR, 'realtime', 'realtime-dto', IDLE_APP],
  handshakes: [FLOOR, 'realtime', IDLE_APP],
};

export interface SideBySideRun {
  rounds: number;
  timing: Timing;
  reqrep: { connections: number; inFlight: number };
  handshakeConcurrency: number;
  env: Record<string, string>;
  nodeFlags: string[];
  token: string;
  record: (scenario: string, server: string, value: Throughput) => void;
  log: (line: string) => void;
}

/** Runs `rounds` rounds: per scenario, one window of every server it compares, all at once. */
export async function sideBySideSuite(specs: ServerSpec[], run: SideBySideRun): Promise<void> {
  const wanted = new Set([...COMPARED.reqrep, ...COMPARED.handshakes]);
  const chosen = specs.filter((s) => wanted.has(s.name));
  if (!chosen.some((s) => s.name === FLOOR) || !chosen.some((s) => s.name === 'realtime')) {
    run.log('  side by side: needs raw-ws-batched and realtime: skipped');
    return;
  }
  chosen.push(IDLE_APP_SPEC);
  const started: { spec: ServerSpec; server: ServerProcess; target: Target }[] = [];
  try {
    for (const spec of chosen) {
      const server = await ServerProcess.start(spec, run.env, run.nodeFlags);
      const upgrade = upgradeRequest(spec.dialect, server.port, run.token);
      started.push({ spec, server, target: { port: server.port, dialect: spec.dialect, upgrade } });
      // One connection first, so that no window pays for a cold server.
      await (await Conn.open(started.at(-1)!.target)).close();
    }
    for (let round = 0; round < run.rounds; round++) {
      for (const [scenario, names] of Object.entries(COMPARED) as [
        keyof typeof COMPARED,
        string[],
      ][]) {
        const servers = started.filter((s) => names.includes(s.spec.name));
        const windows = await Promise.all(
          servers.map(({ server, target }) =>
            scenario === 'reqrep'
              ? requestReply(
                  server,
                  target,
                  run.reqrep.connections,
                  run.reqrep.inFlight,
                  run.timing,
                )
              : handshakes(server, target, run.handshakeConcurrency, run.timing),
          ),
        );
        servers.forEach(({ spec }, i) =>
          run.record(SIDE_BY_SIDE[scenario], spec.name, windows[i]!),
        );
      }
      run.log(`  side by side: round ${round + 1}/${run.rounds}`);
    }
  } finally {
    await Promise.all(started.map(({ server }) => server.stop()));
  }
}
