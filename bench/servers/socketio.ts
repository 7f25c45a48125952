/**
 * Plain Socket.IO v4 on a Node HTTP server. The JWT is checked by an `io.use()` middleware
 * (from the upgrade request's Authorization header); replies are acknowledgements, rooms are
 * Socket.IO's, a broadcast is `io.to(room).emit()` (encoded once by socket.io-adapter).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { ready, verifyBearer } from './common.js';

const server = createServer();
const io = new Server(server, { serveClient: false });

io.use((socket, next) => {
  try {
    socket.data.principal = verifyBearer(socket.handshake.headers.authorization);
    next();
  } catch {
    next(new Error('Unauthorized'));
  }
});

io.on('connection', (socket) => {
  socket.on('echo', (data: unknown, ack?: (reply: unknown) => void) => ack?.(data));
  socket.on('join', (data: { room: string }, ack?: (reply: unknown) => void) => {
    void socket.join(data.room);
    ack?.(true);
  });
  socket.on('publish', (data: { room: string }) => {
    io.to(data.room).emit('tick', data);
  });
});

server.listen(0, '127.0.0.1', () => {
  ready((server.address() as AddressInfo).port, () => io.engine.clientsCount);
});
