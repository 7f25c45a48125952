import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { boundRequestArrival, type RequestArrival } from './arrival-deadline.js';

const MS = 100;

describe('boundRequestArrival', () => {
  let server: Server;
  let arrival: RequestArrival;
  let accepted: Socket[];
  let port: number;

  beforeEach(async () => {
    server = createServer((_req, res) => res.end('ok'));
    accepted = [];
    server.on('connection', (socket: Socket) => accepted.push(socket));
    arrival = boundRequestArrival(server, MS);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    arrival.undo();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('destroys a socket that sends no request in time', async () => {
    const client = connect(port, '127.0.0.1');
    client.on('error', () => undefined);
    await once(client, 'close');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.destroyed).toBe(true);
  });

  it('destroys each silent socket, however far apart they come, and keeps the served ones', async () => {
    for (let round = 1; round <= 2; round++) {
      const served = connect(port, '127.0.0.1');
      await once(served, 'connect');
      served.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await once(served, 'data');
      const silent = connect(port, '127.0.0.1');
      silent.on('error', () => undefined);
      await once(silent, 'close');
      const quiet = accepted.filter((socket) => socket.bytesRead === 0);
      expect(quiet).toHaveLength(round);
      expect(quiet.every((socket) => socket.destroyed)).toBe(true);
      expect(accepted.filter((socket) => socket.bytesRead > 0).at(-1)!.destroyed).toBe(false);
      served.destroy();
    }
  });

  it('keeps nothing on the socket once its first request has arrived', async () => {
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const listenersBefore = accepted[0]!.listenerCount('close');
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(client, 'data');
    // The deadline's close listener is gone, and its timer with it: nothing destroys the socket.
    expect(accepted[0]!.listenerCount('close')).toBe(listenersBefore - 1);
    // A second client that never sends a request: its deadline, later than the first one's,
    // destroys it; by then the first socket's deadline has passed too.
    const control = connect(port, '127.0.0.1');
    control.on('error', () => undefined);
    await once(control, 'close');
    expect(accepted[0]!.destroyed).toBe(false);
    client.destroy();
  });
});
