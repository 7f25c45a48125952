/**
 * Socket.IO through `@nestjs/platform-socket.io` (`IoAdapter`): the same middleware, acks and
 * rooms as the plain Socket.IO server, with Nest's gateway pipeline on every message.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { NEST_LOGGER, ready, verifyBearer } from './common.js';

@WebSocketGateway({ serveClient: false })
class BenchGateway implements OnGatewayInit {
  @WebSocketServer() server!: Server;

  afterInit(server: Server): void {
    server.use((socket, next) => {
      try {
        socket.data.principal = verifyBearer(socket.handshake.headers.authorization);
        next();
      } catch {
        next(new Error('Unauthorized'));
      }
    });
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }

  @SubscribeMessage('join')
  join(@ConnectedSocket() socket: Socket, @MessageBody() data: { room: string }): boolean {
    void socket.join(data.room);
    return true;
  }

  @SubscribeMessage('publish')
  publish(@MessageBody() data: { room: string }): void {
    this.server.to(data.room).emit('tick', data);
  }
}

@Module({ providers: [BenchGateway] })
class BenchModule {}

const app = await NestFactory.create(BenchModule, { logger: NEST_LOGGER });
app.useWebSocketAdapter(new IoAdapter(app));
await app.listen(0, '127.0.0.1');
const gateway = app.get(BenchGateway);
ready(
  (app.getHttpServer().address() as { port: number }).port,
  () => gateway.server.engine.clientsCount,
);
