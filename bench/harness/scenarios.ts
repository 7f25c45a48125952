/** The scenarios. Each measures one window after a warm-up, on servers already started. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Conn, openMany, type MessageHandler, type Target } from './client.js';
import { Histogram } from './histogram.js';
import type { ServerProcess } from './servers.js';
import { intAfterKey, KEY_S, KEY_T, textFrame, type Dialect } from './wire.js';

export const ROOM = 'bench';

/** One measured window of a throughput scenario. */
export interface Throughput {
  /** Operations (replies, deliveries, handshakes) per second. */
  rate: number;
  /** Latency quantiles in milliseconds. */
  p50: number;
  p99: number;
  /** Server CPU time (user + system) per operation, microseconds. */
  cpuPerOp: number;
  /** Server CPU use during the window, in cores (1 = one core busy). */
  serverCpu: number;
  /** Load generator CPU use during the window, in cores. */
  genCpu: number;
  /** CPU other processes on the machine used during the window, in cores. */
  foreignCpu: number;
  ops: number;
  errors: number;
}

export interface Memory {
  /** Resident memory per connection, bytes (RSS after GC, with minus without). */
  rssPerConn: number;
  /** JS heap per connection, bytes. */
  heapPerConn: number;
  connections: number;
}

export interface Timing {
  warmupMs: number;
  measureMs: number;
  /** Windows measured at most while other processes load the machine (1: never again). */
  attempts: number;
  /** How long to wait, before a window, for other processes to calm down (0: not at all). */
  quietWaitMs: number;
  /** When set: .cpuprofile paths, one per server, of the measured window. */
  profile?: string[];
}

interface Window {
  seconds: number;
  serverCpuUs: number;
  /** The servers' own wall time between their two samples (their event loop may lag ours). */
  serverSeconds: number;
  genCpuUs: number;
  /** CPU (in cores) that processes other than the server(s) and the generator used meanwhile. */
  foreignCpu: number;
}

/** Busy time of every core (user + nice + system + steal), in microseconds, from /proc/stat. */
function machineBusyUs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [, user, nice, system, , , , , steal] = line.trim().split(/\s+/).map(Number);
    return (user! + nice! + system! + (steal ?? 0)) * 10_000;
  } catch {
    return NaN;
  }
}

/** Retry a window when other processes took more than this share of a core meanwhile. */
const FOREIGN_CPU_LIMIT = 0.1;

/**
 * Waits (at most `timing.quietWaitMs`) until, over a 300 ms probe, processes other than the
 * servers and the generator use less than a tenth of a core.
 */
async function waitQuiet(servers: ServerProcess[], timing: Timing): Promise<void> {
  const deadline = performance.now() + timing.quietWaitMs;
  let waited = false;
  while (performance.now() < deadline) {
    const before = await Promise.all(servers.map((s) => s.stats()));
    const gen = process.cpuUsage();
    const busy = machineBusyUs();
    const t0 = performance.now();
    await sleep(300);
    const seconds = (performance.now() - t0) / 1000;
    const genCpu = process.cpuUsage(gen);
    const busyUs = machineBusyUs() - busy;
    const after = await Promise.all(servers.map((s) => s.stats()));
    let ours = genCpu.user + genCpu.system;
    for (let i = 0; i < servers.length; i++) ours += after[i]!.cpu - before[i]!.cpu;
    if (!((busyUs - ours) / 1e6 / seconds > FOREIGN_CPU_LIMIT)) break;
    if (!waited) console.warn('    other processes are busy: waiting for a quieter machine');
    waited = true;
  }
}

/**
 * One measured window: `begin()` starts counting, `end()` stops and returns the operations.
 * The load itself runs before and after. A window during which other processes on the machine
 * used more than a tenth of a core is measured again (up to `timing.attempts` windows in all),
 * unless `noRetry`.
 */
async function measure(
  servers: ServerProcess[],
  timing: Timing,
  begin: () => void,
  end: () => number,
  noRetry = false,
): Promise<{ window: Window; ops: number }> {
  for (let attempt = 1; ; attempt++) {
    if (timing.quietWaitMs > 0 && !noRetry) await waitQuiet(servers, timing);
    if (timing.profile) await Promise.all(servers.map((s) => s.request('profile-start')));
    const before = await Promise.all(servers.map((s) => s.stats()));
    const gen = process.cpuUsage();
    const busy = machineBusyUs();
    const t0 = performance.now();
    begin();
    await sleep(timing.measureMs);
    const ops = end();
    const seconds = (performance.now() - t0) / 1000;
    const genCpu = process.cpuUsage(gen);
    const busyUs = machineBusyUs() - busy;
    const after = await Promise.all(servers.map((s) => s.stats()));
    if (timing.profile) {
      await Promise.all(
        servers.map((s, i) => s.request('profile-stop', { file: timing.profile![i] })),
      );
    }
    let serverCpuUs = 0;
    let serverSeconds = 0;
    for (let i = 0; i < servers.length; i++) {
      serverCpuUs += after[i]!.cpu - before[i]!.cpu;
      serverSeconds = Math.max(serverSeconds, (after[i]!.at - before[i]!.at) / 1e6);
    }
    const genCpuUs = genCpu.user + genCpu.system;
    const foreignCpu = Math.max(0, busyUs - serverCpuUs - genCpuUs) / 1e6 / seconds;
    const window = { seconds, serverCpuUs, serverSeconds, genCpuUs, foreignCpu: foreignCpu || 0 };
    if (noRetry || !(foreignCpu > FOREIGN_CPU_LIMIT) || attempt >= timing.attempts) {
      return { window, ops };
    }
    console.warn(
      `    other processes used ${Math.round(foreignCpu * 100)}% of a core: measuring again`,
    );
    await sleep(1000);
  }
}

function throughput(window: Window, ops: number, histogram: Histogram, errors = 0): Throughput {
  return {
    rate: ops / window.seconds,
    p50: histogram.quantile(0.5) / 1000,
    p99: histogram.quantile(0.99) / 1000,
    cpuPerOp: ops > 0 ? window.serverCpuUs / ops : NaN,
    serverCpu: window.serverCpuUs / 1e6 / window.serverSeconds,
    genCpu: window.genCpuUs / 1e6 / window.seconds,
    foreignCpu: window.foreignCpu,
    ops,
    errors,
  };
}

/** `connections` sockets with `inFlight` small JSON requests each, re-sent on every reply. */
export async function requestReply(
  server: ServerProcess,
  target: Target,
  connections: number,
  inFlight: number,
  timing: Timing,
): Promise<Throughput> {
  const conns = await openMany(target, connections, 50);
  const frames = Array.from({ length: inFlight }, (_, slot) =>
    textFrame(target.dialect.echo(slot)),
  );
  const histogram = new Histogram();
  let count = 0;
  let measuring = false;
  let running = true;
  const onMessage: MessageHandler = (conn, data, start, end) => {
    const slot = intAfterKey(data, start, end, KEY_S);
    if (slot < 0 || slot >= inFlight) return;
    const now = performance.now();
    if (measuring) {
      count++;
      histogram.record((now - conn.sentAt[slot]!) * 1000);
    }
    if (!running) return;
    conn.sentAt[slot] = now;
    conn.queue(frames[slot]!);
  };
  const now = performance.now();
  for (const conn of conns) {
    conn.onMessage = onMessage;
    for (let slot = 0; slot < inFlight; slot++) {
      conn.sentAt[slot] = now;
      conn.queue(frames[slot]!);
    }
    conn.flush();
  }
  await sleep(timing.warmupMs);
  const { window, ops } = await measure(
    [server],
    timing,
    () => {
      count = 0;
      histogram.reset();
      measuring = true;
    },
    () => {
      measuring = false;
      return count;
    },
  );
  running = false;
  await sleep(50);
  for (const conn of conns) conn.reset();
  await server.waitConnections(0);
  return throughput(window, ops, histogram);
}

/** Every connection joins the room; resolves when each got its reply. */
export async function joinRoom(conns: Conn[], dialect: Dialect): Promise<void> {
  const frame = textFrame(dialect.join(ROOM));
  await Promise.all(
    conns.map(
      (conn) =>
        new Promise<void>((resolve) => {
          conn.onMessage = () => {
            conn.onMessage = undefined;
            resolve();
          };
          conn.send(frame);
        }),
    ),
  );
}

/**
 * One publisher (not a member) asks for a room broadcast carrying its send time; at most
 * `window` broadcasts are in flight (a new one goes out as soon as the oldest has reached every
 * subscriber), so the servers are kept busy without queues growing without bound.
 */
export async function broadcast(
  servers: ServerProcess[],
  subscribers: Conn[],
  publisher: Conn,
  dialect: Dialect,
  window: number,
  timing: Timing,
  /** Other processes are part of it (Redis): do not measure again because of them. */
  noRetry = false,
): Promise<Throughput> {
  const size = subscribers.length;
  const histogram = new Histogram();
  let sent = 0;
  let delivered = 0;
  let count = 0;
  let measuring = false;
  let running = true;
  let stalls = 0;
  let lastDelivery = performance.now();
  const publish = (): void => {
    sent++;
    publisher.send(textFrame(dialect.publish(ROOM, Math.round(performance.now() * 1000))));
  };
  const onMessage: MessageHandler = (_conn, data, start, end) => {
    const t = intAfterKey(data, start, end, KEY_T);
    if (t < 0) return;
    delivered++;
    const now = performance.now();
    lastDelivery = now;
    if (measuring) {
      count++;
      histogram.record(now * 1000 - t);
    }
    if (running && sent - Math.floor(delivered / size) < window) publish();
  };
  for (const conn of subscribers) conn.onMessage = onMessage;
  // A lost delivery would stall the window for good: after 250 ms of silence, publish anyway.
  const watchdog = setInterval(() => {
    if (running && performance.now() - lastDelivery > 250) {
      stalls++;
      lastDelivery = performance.now();
      publish();
    }
  }, 50);
  for (let i = 0; i < window; i++) publish();
  await sleep(timing.warmupMs);
  let errors = 0;
  const { window: measured, ops } = await measure(
    servers,
    timing,
    () => {
      count = 0;
      histogram.reset();
      stalls = 0;
      measuring = true;
    },
    () => {
      measuring = false;
      errors = stalls;
      return count;
    },
    noRetry,
  );
  running = false;
  clearInterval(watchdog);
  await sleep(Math.min(1000, 100 + size / 20));
  for (const conn of subscribers) conn.onMessage = undefined;
  return throughput(measured, ops, histogram, errors);
}

/** Opens `count` idle authenticated connections; resident memory per connection after GC. */
export async function memory(
  server: ServerProcess,
  target: Target,
  count: number,
  warmCount: number,
  settleMs: number,
): Promise<{ conns: Conn[]; result: Memory }> {
  // Warm the connection path first, so its compiled code is not counted as per-connection.
  const warm = await openMany(target, warmCount, 50);
  for (const conn of warm) conn.reset();
  await server.waitConnections(0);
  const before = await server.gc();
  const conns = await openMany(target, count, 200);
  await server.waitConnections(count);
  await sleep(settleMs);
  const after = await server.gc();
  return {
    conns,
    result: {
      rssPerConn: (after.rss - before.rss) / count,
      heapPerConn: (after.heapUsed - before.heapUsed) / count,
      connections: count,
    },
  };
}

/**
 * New authenticated connections per second: `concurrency` loops each open a connection (the
 * same token every time), count it once it is usable, close it (closing handshake) and start
 * the next.
 */
export async function handshakes(
  server: ServerProcess,
  target: Target,
  concurrency: number,
  timing: Timing,
): Promise<Throughput> {
  const histogram = new Histogram();
  let running = true;
  let measuring = false;
  let count = 0;
  let errors = 0;
  let firstError = '';
  const loop = async (): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      try {
        const conn = await Conn.open(target);
        if (measuring) {
          count++;
          histogram.record((performance.now() - t0) * 1000);
        }
        await conn.close();
      } catch (error) {
        errors++;
        firstError ||= String(error);
        await sleep(10);
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await sleep(timing.warmupMs);
  let failed = 0;
  const { window, ops } = await measure(
    [server],
    timing,
    () => {
      count = 0;
      errors = 0;
      histogram.reset();
      measuring = true;
    },
    () => {
      measuring = false;
      failed = errors;
      return count;
    },
  );
  running = false;
  await Promise.all(loops);
  await server.waitConnections(0);
  if (failed > 0)
    console.warn(`    ${server.spec.name}: ${failed} failed handshakes (${firstError})`);
  return throughput(window, ops, histogram, failed);
}
