import type { WebSocket } from 'ws';
import { CloseCode } from '../../protocol/index.js';
import { within } from '../common/within.js';
import { stateOf } from './connection-map.js';

export interface DrainOptions {
  /** Total budget; sockets still open at its end are terminated. */
  drainMs: number;
  /** Sockets asked to close at once. */
  batchSize: number;
  reason?: string;
}

/**
 * A realtime connection closes through its writer, so the replies and pushes produced before
 * the drain reached it go out first; any other socket (a plain gateway's) closes directly.
 */
function closeSocket(socket: WebSocket, reason: string): void {
  const state = stateOf(socket);
  if (state) state.close(CloseCode.GOING_AWAY, reason);
  else socket.close(CloseCode.GOING_AWAY, reason);
}

const CLOSED = 3;

function closedPromise(socket: WebSocket): Promise<void> {
  if (socket.readyState === CLOSED) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/**
 * Graceful close of many sockets: batches of `batchSize` get close 1001 (sent after whatever
 * is already queued or produced in the same turn, so accepted data is flushed first) and each batch waits for its peers'
 * close frames for a fair share of the remaining budget. When the budget is spent, every socket
 * still open is terminated: a silent peer cannot hold a deploy.
 */
export async function drainSockets(sockets: WebSocket[], options: DrainOptions): Promise<void> {
  const deadline = Date.now() + options.drainMs;
  const reason = options.reason ?? 'Server shutting down';
  const batches = Math.ceil(sockets.length / options.batchSize);
  for (let i = 0; i < batches; i++) {
    const batch = sockets.slice(i * options.batchSize, (i + 1) * options.batchSize);
    for (const socket of batch) {
      if (socket.readyState < 2) closeSocket(socket, reason);
    }
    const share = (deadline - Date.now()) / (batches - i);
    await within(Promise.all(batch.map(closedPromise)), share);
  }
  const open = sockets.filter((socket) => socket.readyState !== CLOSED);
  for (const socket of open) socket.terminate();
  await Promise.all(open.map(closedPromise));
}
