/** The scenarios. Each measures one window after a warm-up, on servers already started. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Conn, openMany, type MessageHandler, type Target } from './client.js';
import { Histogram } from './histogram.js';
import { measure, throughput, type Memory, type Throughput, type Timing } from './measure.js';
import type { ServerProcess } from './servers.js';
import { intAfterKey, KEY_S, KEY_T, textFrame, type Dialect } from './wire.js';

export type { Memory, Throughput, Timing } from './measure.js';

export const ROOM = 'bench';

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
export async function joinRoom(conns: Conn[], dialect: Dialect, room = ROOM): Promise<void> {
  const frame = textFrame(dialect.join(room));
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
