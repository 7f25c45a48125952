import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

/**
 * The processes of a test Redis Cluster (redis-cluster.ts): one `redis-server` per node, and a
 * watchdog that kills whatever is left of them when the test process ends, however it ends.
 */

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** `count` distinct free ports on 127.0.0.1. */
export async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts a cluster-enabled `redis-server` whose files (config, pid, dump) live in `dir`; `ready`
 * resolves when it accepts connections, and rejects if it exits first or is not ready within
 * `deadlineMs` (it is then killed). Its output keeps being read (the last 4 kB kept for error
 * messages) so that a full pipe never blocks it.
 */
export function spawnNode(dir: string, port: number, busPort: number, deadlineMs: number) {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes']
      .concat(['--cluster-port', String(busPort), '--cluster-node-timeout', '1000'])
      .concat(['--cluster-config-file', join(dir, `nodes-${port}.conf`)])
      .concat([
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--dbfilename',
        `dump-${port}.rdb`,
      ])
      // A replica's first sync would otherwise wait 5 s for other replicas to share it.
      .concat(['--repl-diskless-sync-delay', '0']),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  track(child, join(dir, `${port}.pid`));
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`redis-server on port ${port} not ready after ${deadlineMs} ms: ${output}`));
      child.kill('SIGKILL');
    }, deadlineMs);
    const settle = (error?: Error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes('Ready to accept connections')) settle();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', settle);
    child.once('exit', (code, signal) => {
      settle(new Error(`redis-server on port ${port} exited (${code ?? signal}): ${output}`));
    });
  });
  return { child, ready };
}

/** `kill -9`; resolves when the process is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/**
 * Keeps the pid in a file for the watchdog while the process runs, and SIGKILLs it when this
 * process exits. Under Jest that 'exit' hook never runs (the test's `process` is a sandbox copy
 * whose 'exit' is never emitted): the watchdog is what works there.
 */
function track(child: ChildProcess, pidFile: string): void {
  running.add(child);
  writeFileSync(pidFile, String(child.pid));
  child.once('exit', () => {
    running.delete(child);
    rmSync(pidFile, { force: true });
  });
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));
}

/**
 * A shell that waits for EOF on its stdin, then SIGKILLs the pids left in `dir` and removes it.
 * The pipe closes when this process ends however it ends (even by SIGKILL), so no redis-server
 * outlives the test run. It ignores the signals sent to a whole process group (Ctrl-C, `timeout`,
 * a closed terminal) so that they reach it as that EOF, after the test process is gone.
 */
export function startWatchdog(dir: string): ChildProcess {
  const script =
    "trap '' INT TERM HUP; cat >/dev/null; " +
    'for f in "$1"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done; rm -rf "$1"';
  const watchdog = spawn('sh', ['-c', script, 'sh', dir], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref(); // never what keeps the test process alive
  (watchdog.stdin as unknown as { unref(): void }).unref();
  return watchdog;
}

/** Closes the watchdog's stdin (it then finds no pid left) and resolves when it has exited. */
export async function stopWatchdog(watchdog: ChildProcess): Promise<void> {
  if (watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  watchdog.ref();
  const exited = once(watchdog, 'exit');
  watchdog.stdin!.end();
  await exited;
}
