/**
 * What every benchmark server shares: the JWT check (the same HS256 token, verified with
 * jsonwebtoken and a pre-imported KeyObject, as nestjs-realtime does), and the IPC channel the
 * harness uses to read CPU time and memory, force a GC and profile a measured window.
 */
import { createSecretKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import jwt from 'jsonwebtoken';

export const SECRET = process.env['BENCH_JWT_SECRET'] ?? '';
export const REDIS_URL = process.env['BENCH_REDIS_URL'];
export const REDIS_PREFIX = process.env['BENCH_REDIS_PREFIX'] ?? 'bench';
export const VARIANT = process.env['BENCH_VARIANT'] ?? '';

if (SECRET.length < 32) throw new Error('BENCH_JWT_SECRET (>= 32 characters) is required');

const key = createSecretKey(Buffer.from(SECRET));

export interface Principal {
  userId: string;
  claims: Record<string, unknown>;
}

/** `Authorization: Bearer <jwt>` → principal; throws on a missing or invalid token. */
export function verifyBearer(header: string | undefined): Principal {
  if (!header?.startsWith('Bearer ')) throw new Error('no token');
  const claims = jwt.verify(header.slice(7), key, { algorithms: ['HS256'] }) as Record<
    string,
    unknown
  >;
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub.length === 0) throw new Error('no subject');
  return { userId: sub, claims };
}

export interface Stats {
  /** When the server took these numbers (performance.timeOrigin + now(), microseconds). */
  at: number;
  /** process.cpuUsage(), user + system, in microseconds. */
  cpu: number;
  cpuUser: number;
  rss: number;
  heapUsed: number;
  external: number;
  connections: number;
  /** The cross-instance bus's counters, where the server has one (Redis rows). */
  bus?: BusCounters;
}

/**
 * What nestjs-realtime's `registry.health()` reports (raw ws counts the same by hand):
 * `received` is the publications of other instances that reached this one.
 */
export interface BusCounters {
  kind: string;
  published: number;
  received: number;
  ready?: boolean;
  publishFailures?: number;
  ignored?: number;
}

export interface Command {
  id: number;
  /** The shared commands, or one a server adds (`ready`'s `extra`). */
  cmd: 'stats' | 'gc' | 'profile-start' | 'profile-stop' | 'exit' | (string & {});
  file?: string;
  [key: string]: unknown;
}

/** A server's own IPC commands; undefined for a command it does not know. */
export type ExtraCommands = (command: Command) => Promise<unknown> | undefined;

const gc = (globalThis as { gc?: () => void }).gc;
let profiler: Session | undefined;

type Sources = {
  connections: () => number;
  bus?: (() => BusCounters) | undefined;
  extra?: ExtraCommands | undefined;
};

function stats({ connections, bus }: Sources): Stats {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    at: (performance.timeOrigin + performance.now()) * 1000,
    cpu: cpu.user + cpu.system,
    cpuUser: cpu.user,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    external: mem.external,
    connections: connections(),
    ...(bus ? { bus: bus() } : {}),
  };
}

async function run(command: Command, sources: Sources): Promise<unknown> {
  switch (command.cmd) {
    case 'stats':
      return stats(sources);
    case 'gc':
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return stats(sources);
    case 'profile-start':
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiler.post('Profiler.start');
      return stats(sources);
    case 'profile-stop': {
      const { profile } = await profiler!.post('Profiler.stop');
      profiler!.disconnect();
      profiler = undefined;
      writeFileSync(command.file!, JSON.stringify(profile));
      return stats(sources);
    }
    case 'exit':
      setImmediate(() => process.exit(0));
      return {};
  }
  const reply = sources.extra?.(command);
  if (reply === undefined) throw new Error(`unknown command ${command.cmd}`);
  return reply;
}

/**
 * Tells the harness the server listens on `port`, then answers its commands over IPC; `stats`
 * carries the open connections and, with `bus`, the bus's counters; `extra` answers the
 * server's own commands.
 */
export function ready(
  port: number,
  connections: () => number,
  bus?: () => BusCounters,
  extra?: ExtraCommands,
): void {
  if (!process.send) {
    console.log(`listening on 127.0.0.1:${port} (no IPC: started outside the harness)`);
    return;
  }
  process.on('message', (message: Command) => {
    void run(message, { connections, bus, extra }).then(
      (result) => process.send!({ id: message.id, ok: true, result }),
      (error: unknown) => process.send!({ id: message.id, ok: false, error: String(error) }),
    );
  });
  // The harness going away (Ctrl-C, crash) must not leave servers behind.
  process.on('disconnect', () => process.exit(0));
  process.send({ id: 0, ok: true, result: { port } });
}

/** Nest's logger: errors and warnings only (a log line per connection would be measured too). */
export const NEST_LOGGER: ('error' | 'warn')[] = ['error', 'warn'];
