/**
 * Stock Nest: `@nestjs/platform-ws`'s `WsAdapter` with a `@WebSocketGateway`. The JWT is checked
 * in `handleConnection` (the stock way: the socket is already open), and rooms are the
 * gateway's own maps, as stock Nest leaves them to the app.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type WsResponse,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { NEST_LOGGER, ready, verifyBearer, type Principal } from './common.js';

@WebSocketGateway({ path: '/ws' })
class BenchGateway implements OnGatewayConnection, OnGatewayDisconnect {
  static connections = 0;
  private readonly principals = new Map<WebSocket, Principal>();
  private readonly rooms = new Map<string, Set<WebSocket>>();

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    try {
      this.principals.set(client, verifyBearer(request.headers.authorization));
      BenchGateway.connections = this.principals.size;
    } catch {
      client.close(4401, 'Unauthorized');
    }
  }

  handleDisconnect(client: WebSocket): void {
    this.principals.delete(client);
    for (const members of this.rooms.values()) members.delete(client);
    BenchGateway.connections = this.principals.size;
  }

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'echo', data };
  }

  @SubscribeMessage('join')
  join(
    @ConnectedSocket() client: WebSocket,
    @MessageBody() data: { room: string },
  ): WsResponse<boolean> {
    let members = this.rooms.get(data.room);
    if (!members) this.rooms.set(data.room, (members = new Set()));
    members.add(client);
    return { event: 'joined', data: true };
  }

  @SubscribeMessage('publish')
  publish(@MessageBody() data: { room: string }): void {
    const frame = JSON.stringify({ event: 'tick', data });
    for (const client of this.rooms.get(data.room) ?? []) client.send(frame);
  }
}

@Module({ providers: [BenchGateway] })
class BenchModule {}

const app = await NestFactory.create(BenchModule, { logger: NEST_LOGGER });
app.useWebSocketAdapter(new WsAdapter(app));
await app.listen(0, '127.0.0.1');
ready((app.getHttpServer().address() as { port: number }).port, () => BenchGateway.connections);
