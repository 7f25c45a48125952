import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { RealtimeClient } from '../../src/client/index.js';
import { watchProcessProblems } from '../support/process-problems.js';

describe('RealtimeClient.close() while the upgrade is still pending (ws in Node)', () => {
  it('closes without an unhandled error event', async () => {
    // A server that accepts TCP but never answers the upgrade.
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const watch = watchProcessProblems();
    try {
      const client = new RealtimeClient({
        url: `ws://127.0.0.1:${port}/ws`,
        WebSocket,
        getToken: () => 'token',
      });
      const states: string[] = [];
      client.onState(({ state, code }) => states.push(`${state}:${String(code)}`));
      const connecting = client.connect().catch((error: Error) => error.message);
      await once(server, 'connection');
      await client.close();
      expect(await connecting).toEqual(expect.any(String)); // connect() rejects, never hangs
      expect(states.at(-1)).toBe('closed:1000');
      // ws reports the aborted handshake on the next tick, before the close that close() awaits.
      expect(watch.seen).toEqual([]);
    } finally {
      watch.stop();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
