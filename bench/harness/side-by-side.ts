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
import { Conn, openMany, type Target } from './client.js';
import type { Throughput, Timing } from './measure.js';
import { broadcast, handshakes, joinRoom, requestReply } from './scenarios.js';
import { ServerProcess, type ServerSpec } from './servers.js';
import { FLOOR } from './targets.js';
import { upgradeRequest, WS_ENVELOPE } from './wire.js';

/** results.json key of a scenario's side-by-side windows: one row per round and server. */
export const sideBySideKey = (scenario: string): string => `side-by-side-${scenario}`;

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

/**
 * The servers each side-by-side scenario compares, as far as they are run (the control always):
 * request/reply with and without a DTO and with metrics, a broadcast to the smaller room (one
 * generator process cannot hold 10 000 connections per server for several servers), handshakes.
 */
const COMPARED: Record<'reqrep' | 'broadcast' | 'handshakes', string[]> = {
  reqrep: [FLOOR, 'realtime', 'realtime-dto', 'realtime-metrics', IDLE_APP],
  broadcast: [FLOOR, 'realtime', IDLE_APP],
  handshakes: [FLOOR, 'realtime', IDLE_APP],
};

export interface SideBySideRun {
  rounds: number;
  /** How many times the servers are started, each for an equal share of the rounds. */
  starts: number;
  timing: Timing;
  reqrep: { connections: number; inFlight: number };
  handshakeConcurrency: number;
  broadcastSizes: number[];
  broadcastWindow: number;
  env: Record<string, string>;
  nodeFlags: string[];
  token: string;
  record: (scenario: string, server: string, value: Throughput) => void;
  log: (line: string) => void;
  /** With `--profile`: the .cpuprofile of a server's window in a scenario's rounds. */
  profileOf?: (scenario: string, server: string) => string;
}

/**
 * Runs `rounds` rounds: per scenario, one window of every server it compares, all at once. The
 * servers are started anew for each of `starts` groups of rounds: a process's JIT and heap
 * layout make it a little faster or slower for its whole life (the same code's request/reply
 * median moved between 0.84× and 0.87× from run to run, further than the rounds of one run
 * spread), so one start per run would carry that luck into the verdict.
 */
export async function sideBySideSuite(specs: ServerSpec[], run: SideBySideRun): Promise<void> {
  const wanted = new Set([...COMPARED.reqrep, ...COMPARED.handshakes]);
  const chosen = specs.filter((s) => wanted.has(s.name));
  if (!chosen.some((s) => s.name === FLOOR) || !chosen.some((s) => s.name === 'realtime')) {
    run.log('  side by side: needs raw-ws-batched and realtime: skipped');
    return;
  }
  chosen.push(IDLE_APP_SPEC);
  const starts = Math.max(1, Math.min(run.starts, run.rounds));
  let round = 0;
  for (let start = 0; start < starts; start++) {
    // The rounds spread evenly over the starts (25 over 5: 5 each).
    const until = Math.round(((start + 1) * run.rounds) / starts);
    const started = await startAll(chosen, run);
    try {
      for (; round < until; round++) {
        await oneRound(started, run);
        run.log(`  side by side: round ${round + 1}/${run.rounds} (start ${start + 1}/${starts})`);
      }
    } finally {
      await Promise.all(started.map(({ server }) => server.stop()));
    }
  }
}

interface Started {
  spec: ServerSpec;
  server: ServerProcess;
  target: Target;
}

async function startAll(chosen: ServerSpec[], run: SideBySideRun): Promise<Started[]> {
  const started: Started[] = [];
  try {
    for (const spec of chosen) {
      const server = await ServerProcess.start(spec, run.env, run.nodeFlags);
      const upgrade = upgradeRequest(spec.dialect, server.port, run.token);
      started.push({ spec, server, target: { port: server.port, dialect: spec.dialect, upgrade } });
      // One connection first, so that no window pays for a cold server.
      await (await Conn.open(started.at(-1)!.target)).close();
    }
    return started;
  } catch (error) {
    await Promise.all(started.map(({ server }) => server.stop()));
    throw error;
  }
}

/** Per scenario, one window of every server it compares, all at once. */
async function oneRound(started: Started[], run: SideBySideRun): Promise<void> {
  const size = Math.min(...run.broadcastSizes);
  for (const [scenario, names] of Object.entries(COMPARED)) {
    const servers = started.filter((s) => names.includes(s.spec.name));
    const key = sideBySideKey(scenario === 'broadcast' ? `broadcast-${size}` : scenario);
    const windows = await Promise.all(
      servers.map(({ spec, server, target }) => {
        const timing = run.profileOf
          ? { ...run.timing, profile: [run.profileOf(key, spec.name)] }
          : run.timing;
        if (scenario === 'reqrep') {
          const { connections, inFlight } = run.reqrep;
          return requestReply(server, target, connections, inFlight, timing);
        }
        if (scenario === 'handshakes') {
          return handshakes(server, target, run.handshakeConcurrency, timing);
        }
        return roomBroadcast(server, target, size, { ...run, timing });
      }),
    );
    servers.forEach(({ spec }, i) => run.record(key, spec.name, windows[i]!));
  }
}

/** `size` members of one room and a publisher (not a member): one broadcast window. */
async function roomBroadcast(
  server: ServerProcess,
  target: Target,
  size: number,
  run: SideBySideRun,
): Promise<Throughput> {
  const members = await openMany(target, size, 50);
  const publisher = await Conn.open(target);
  try {
    await joinRoom(members, target.dialect);
    return await broadcast(
      [server],
      members,
      publisher,
      target.dialect,
      run.broadcastWindow,
      run.timing,
    );
  } finally {
    for (const conn of [...members, publisher]) conn.reset();
    await server.waitConnections(0);
  }
}
