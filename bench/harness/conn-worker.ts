/**
 * A load-generator process of the `connections` scenario: it holds its share of the idle
 * authenticated connections (from its own 127.0.0.x source address, so no process and no
 * address runs out of descriptors or ports), answers the heartbeat's pings, and times the
 * broadcasts it receives. Driven by connections.ts over IPC.
 */
import { Conn, openMany, type Target } from './client.js';
import { intAfterKey, KEY_T, nowUs, REALTIME_ENVELOPE, SOCKET_IO, WS_ENVELOPE } from './wire.js';

export interface WorkerCommand {
  id: number;
  cmd: 'open' | 'arm' | 'collect' | 'stats' | 'close';
  /** open: the server, and how many more connections. */
  port?: number;
  dialect?: 'ws' | 'realtime' | 'sio';
  upgrade?: string;
  localAddress?: string;
  count?: number;
}

export interface WorkerStats {
  open: number;
  /** Connections the server closed (the heartbeat terminating an answering peer would show). */
  closed: number;
}

const DIALECTS = { ws: WS_ENVELOPE, realtime: REALTIME_ENVELOPE, sio: SOCKET_IO };
const conns: Conn[] = [];
/** Latency of each delivery of the armed broadcast, µs. */
let latencies: number[] = [];

function onTick(_conn: Conn, data: Buffer, start: number, end: number): void {
  const t = intAfterKey(data, start, end, KEY_T);
  if (t >= 0) latencies.push(nowUs() - t);
}

async function run(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'open': {
      const target: Target = {
        port: command.port!,
        dialect: DIALECTS[command.dialect!],
        upgrade: Buffer.from(command.upgrade!, 'base64'),
        ...(command.localAddress ? { localAddress: command.localAddress } : {}),
      };
      const started = performance.now();
      const opened = await openMany(target, command.count!, 50);
      for (const conn of opened) conn.onMessage = onTick;
      conns.push(...opened);
      return { open: conns.length, ms: performance.now() - started };
    }
    case 'arm':
      latencies = [];
      return {};
    case 'collect':
      return latencies.map(Math.round);
    case 'stats':
      return {
        open: conns.filter((c) => c.open).length,
        closed: conns.filter((c) => c.closed).length,
      } satisfies WorkerStats;
    case 'close':
      for (const conn of conns) conn.reset();
      conns.length = 0;
      return {};
  }
}

process.on('message', (command: WorkerCommand) => {
  void run(command).then(
    (result) => process.send!({ id: command.id, ok: true, result }),
    (error: unknown) => process.send!({ id: command.id, ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ id: 0, ok: true, result: {} });
