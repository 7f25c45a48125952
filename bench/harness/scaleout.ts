/**
 * The scaleout scenario's load and windows: several rooms at once, each with its own publisher
 * and flow control, on several instances of a server sharing one Redis; per-instance CPU and
 * bus counters from each instance's stats.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stats } from '../servers/common.js';
import type { Conn, MessageHandler } from './client.js';
import { Histogram } from './histogram.js';
import { measure, waitQuiet, type Measured, type Timing } from './measure.js';
import type { ServerProcess } from './servers.js';
import { intAfterKey, KEY_T, textFrame, type Dialect } from './wire.js';

/** One room: a publisher (not a member) on some instance, the members on any. */
export interface Stream {
  publisher: Conn;
  room: string;
  subscribers: Conn[];
}

/** One layout on one instance count (medians over repetitions, field by field). */
export interface ScaleOut {
  instances: number;
  /** Deliveries (frames received by clients) per second, all instances together. */
  rate: number;
  /** `rate` divided by the number of instances. */
  ratePerInstance: number;
  /** Room broadcasts asked for per second, all publishers together. */
  publications: number;
  /** Latency from publish to delivery, milliseconds. */
  p50: number;
  p99: number;
  /** Server CPU time per delivery, all instances together, microseconds. */
  cpuPerOp: number;
  /** Each instance's CPU use during the window, in cores. */
  serverCpu: number[];
  /** Each instance's bus `received` per second: publications of other instances it heard. */
  received: number[];
  genCpu: number;
  /** Other processes, Redis included, in cores. */
  foreignCpu: number;
  ops: number;
  errors: number;
  /**
   * Local rooms, two instances or more: a second window where every instance but the first
   * publishes to its own room, the first keeps its members (and its interest in its room) and
   * publishes nothing. Publications per second elsewhere, the idle instance's CPU (cores), its
   * CPU in milliseconds per 1 000 publications elsewhere, and how many of them it heard (/s).
   */
  idlePublications?: number;
  idleCpu?: number;
  idleCpuPer1000?: number;
  idleReceived?: number;
}

/** A running load: every stream keeps at most `window` broadcasts in flight. */
interface Load {
  begin(): void;
  /** Stops counting; returns the deliveries counted since `begin()`. */
  end(): number;
  publications(): number;
  stalls(): number;
  readonly histogram: Histogram;
  /** Stops publishing, lets what is in flight arrive, detaches the handlers. */
  stop(): Promise<void>;
}

function startLoad(streams: Stream[], dialect: Dialect, window: number): Load {
  const histogram = new Histogram();
  let measuring = false;
  let running = true;
  let deliveries = 0;
  let publications = 0;
  let stalls = 0;
  const states = streams.map((stream) => {
    const size = stream.subscribers.length;
    const state = { sent: 0, delivered: 0, last: performance.now(), publish };
    function publish(): void {
      state.sent++;
      if (measuring) publications++;
      const t = Math.round(performance.now() * 1000);
      stream.publisher.send(textFrame(dialect.publish(stream.room, t)));
    }
    const onMessage: MessageHandler = (_conn, data, start, end) => {
      const t = intAfterKey(data, start, end, KEY_T);
      if (t < 0) return;
      state.delivered++;
      const now = performance.now();
      state.last = now;
      if (measuring) {
        deliveries++;
        histogram.record(now * 1000 - t);
      }
      if (running && state.sent - Math.floor(state.delivered / size) < window) publish();
    };
    for (const conn of stream.subscribers) conn.onMessage = onMessage;
    return state;
  });
  // A lost delivery would stall a room for good: after 250 ms of silence, publish anyway.
  const watchdog = setInterval(() => {
    const now = performance.now();
    for (const state of states) {
      if (!running || now - state.last <= 250) continue;
      stalls++;
      state.last = now;
      state.publish();
    }
  }, 50);
  for (const state of states) for (let i = 0; i < window; i++) state.publish();
  const members = streams.reduce((n, s) => n + s.subscribers.length, 0);
  return {
    histogram,
    begin: () => {
      deliveries = publications = stalls = 0;
      histogram.reset();
      measuring = true;
    },
    end: () => {
      measuring = false;
      return deliveries;
    },
    publications: () => publications,
    stalls: () => stalls,
    stop: async () => {
      running = false;
      clearInterval(watchdog);
      await sleep(Math.min(1000, 100 + members / 20));
      for (const stream of streams)
        for (const conn of stream.subscribers) conn.onMessage = undefined;
    },
  };
}

/** Per instance: CPU in cores, bus `received` per second, between two stats samples. */
function perInstance(before: Stats[], after: Stats[]): { cpu: number[]; received: number[] } {
  const seconds = (i: number): number => (after[i]!.at - before[i]!.at) / 1e6;
  return {
    cpu: after.map((a, i) => (a.cpu - before[i]!.cpu) / 1e6 / seconds(i)),
    received: after.map(
      (a, i) => ((a.bus?.received ?? NaN) - (before[i]!.bus?.received ?? NaN)) / seconds(i),
    ),
  };
}

/** Warms up, then measures one window of `streams` running on `instances`. */
async function window(
  instances: ServerProcess[],
  streams: Stream[],
  dialect: Dialect,
  inFlight: number,
  timing: Timing,
): Promise<{ measured: Measured; load: Load; publications: number; stalls: number }> {
  // Redis is one of the processes a window runs on: wait for quiet before the load, not during.
  if (timing.quietWaitMs > 0) await waitQuiet(instances, timing);
  const load = startLoad(streams, dialect, inFlight);
  await sleep(timing.warmupMs);
  let publications = 0;
  let stalls = 0;
  const measured = await measure(
    instances,
    timing,
    load.begin,
    () => {
      publications = load.publications();
      stalls = load.stalls();
      return load.end();
    },
    true,
  );
  await load.stop();
  return { measured, load, publications, stalls };
}

/** One window of the layout's streams; for local rooms on 2+ instances, the idle window too. */
export async function scaleout(
  instances: ServerProcess[],
  streams: Stream[],
  dialect: Dialect,
  inFlight: number,
  timing: Timing,
  idleWindow: boolean,
): Promise<ScaleOut> {
  const { measured, load, publications, stalls } = await window(
    instances,
    streams,
    dialect,
    inFlight,
    timing,
  );
  const { window: w, ops, before, after } = measured;
  const { cpu, received } = perInstance(before, after);
  const result: ScaleOut = {
    instances: instances.length,
    rate: ops / w.seconds,
    ratePerInstance: ops / w.seconds / instances.length,
    publications: publications / w.seconds,
    p50: load.histogram.quantile(0.5) / 1000,
    p99: load.histogram.quantile(0.99) / 1000,
    cpuPerOp: ops > 0 ? w.serverCpuUs / ops : NaN,
    serverCpu: cpu,
    received,
    genCpu: w.genCpuUs / 1e6 / w.seconds,
    foreignCpu: w.foreignCpu,
    ops,
    errors: stalls,
  };
  if (!idleWindow || instances.length < 2) return result;
  // Instance 0 keeps its members and its room, and publishes nothing; the others go on.
  const profile = timing.profile?.map((file) => file.replace(/\.cpuprofile$/, '-idle.cpuprofile'));
  const idleTiming = { ...timing, ...(profile ? { profile } : {}) };
  const idle = await window(instances, streams.slice(1), dialect, inFlight, idleTiming);
  const { before: b, after: a, window: iw } = idle.measured;
  const idleCpuUs = a[0]!.cpu - b[0]!.cpu;
  const idleSeconds = (a[0]!.at - b[0]!.at) / 1e6;
  result.idlePublications = idle.publications / iw.seconds;
  result.idleCpu = idleCpuUs / 1e6 / idleSeconds;
  result.idleCpuPer1000 = idle.publications > 0 ? idleCpuUs / idle.publications : NaN;
  result.idleReceived = perInstance(b, a).received[0]!;
  return result;
}
