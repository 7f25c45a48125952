/**
 * The servers under test, each started as its own Node process pinned to the server core with
 * `taskset`, and driven over IPC (CPU time, memory after a forced GC, profiling, exit).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Stats } from '../servers/common.js';
import { REALTIME_ENVELOPE, SOCKET_IO, WS_ENVELOPE, type Dialect } from './wire.js';

export interface ServerSpec {
  /** Id used on the command line and in results.json. */
  name: string;
  /** Row label. */
  label: string;
  /** File in bench/servers (compiled). */
  file: string;
  dialect: Dialect;
  env?: Record<string, string>;
}

export const SERVERS: ServerSpec[] = [
  { name: 'raw-ws', label: 'raw ws', file: 'raw-ws.js', dialect: WS_ENVELOPE },
  {
    name: 'raw-ws-batched',
    label: 'raw ws, batched',
    file: 'raw-ws.js',
    dialect: WS_ENVELOPE,
    env: { BENCH_VARIANT: 'batched' },
  },
  { name: 'nest-ws', label: 'Nest WsAdapter', file: 'nest-ws.js', dialect: WS_ENVELOPE },
  { name: 'socketio', label: 'Socket.IO', file: 'socketio.js', dialect: SOCKET_IO },
  {
    name: 'nest-socketio',
    label: 'Nest + Socket.IO',
    file: 'nest-socketio.js',
    dialect: SOCKET_IO,
  },
  { name: 'realtime', label: 'nestjs-realtime', file: 'realtime.js', dialect: REALTIME_ENVELOPE },
  {
    name: 'realtime-dto',
    label: 'nestjs-realtime + DTO',
    file: 'realtime.js',
    dialect: REALTIME_ENVELOPE,
    env: { BENCH_VARIANT: 'dto' },
  },
  {
    name: 'realtime-metrics',
    label: 'nestjs-realtime + metrics',
    file: 'realtime.js',
    dialect: REALTIME_ENVELOPE,
    env: { BENCH_METRICS: '1' },
  },
];

export const GENERATOR_CORE = 0;
export const SERVER_CORE = 1;

/**
 * Whether processes can be pinned: `taskset` exists and the machine has at least two cores (all
 * of them, not only those this process may use: run.sh has already pinned it to one).
 */
export const CAN_PIN =
  cpus().length >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export class ServerProcess {
  port = 0;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private exited: string | undefined;

  private constructor(
    readonly spec: ServerSpec,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reply: Reply) => {
      const resolve = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      resolve?.(reply);
    });
    child.on('exit', (code, signal) => {
      this.exited = `exited (${signal ?? code})`;
      for (const resolve of this.waiting.values()) {
        resolve({ id: 0, ok: false, error: `${spec.name} ${this.exited}` });
      }
      this.waiting.clear();
    });
  }

  static async start(
    spec: ServerSpec,
    env: Record<string, string>,
    nodeFlags: string[] = [],
  ): Promise<ServerProcess> {
    const file = fileURLToPath(new URL(`../servers/${spec.file}`, import.meta.url));
    const node = [process.execPath, '--expose-gc', ...nodeFlags, file];
    const [command, ...args] = CAN_PIN ? ['taskset', '-c', String(SERVER_CORE), ...node] : node;
    const child = spawn(command!, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...spec.env, ...env, NODE_ENV: 'production' },
    });
    const server = new ServerProcess(spec, child);
    const hello = await server.await(0, 30_000);
    server.port = (hello as { port: number }).port;
    return server;
  }

  request<T>(cmd: string, extra: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.spec.name} ${this.exited}`));
    const id = this.nextId++;
    const reply = this.await(id, timeoutMs) as Promise<T>;
    this.child.send({ id, cmd, ...extra });
    return reply;
  }

  stats(): Promise<Stats> {
    return this.request<Stats>('stats');
  }

  /** Stats after forced full GCs (the server runs with --expose-gc). */
  gc(): Promise<Stats> {
    return this.request<Stats>('gc');
  }

  /** Polls until the server counts `n` open connections. */
  async waitConnections(n: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { connections } = await this.stats();
      if (connections === n) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.spec.name}: ${connections} connections, expected ${n}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.request('exit', {}, 5_000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private await(id: number, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.spec.name}: no answer from the server process`));
      }, timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.ok) resolve(reply.result);
        else reject(new Error(reply.error));
      });
    });
  }
}
