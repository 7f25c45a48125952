import { ConnectionRegistry } from '../../src/server/index.js';
import type { RunningApp } from './demo-app.js';

/**
 * A barrier for what a disconnect changes on the server, without sleeping: resolves once the
 * server has handled the close of every current connection of `userId` (its gateways'
 * disconnect hooks have run). Call it before closing the client.
 */
export function serverClosed(demo: RunningApp, userId: string): Promise<void> {
  const registry = demo.app.get(ConnectionRegistry);
  const sockets = registry.connectionsOf(userId).map((connection) => connection.socket);
  if (sockets.length === 0) throw new Error(`${userId} has no connection on the server`);
  // The adapter's own 'close' listener was added when the socket opened, so it runs first.
  return Promise.all(
    sockets.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()))),
  ).then(() => undefined);
}
