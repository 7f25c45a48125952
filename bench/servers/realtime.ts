/**
 * nestjs-realtime as its README says to run it: `RealtimeModule.forRoot()`, `RealtimeAdapter`,
 * a `@RealtimeGateway()`, JWT verified at the upgrade, the envelope with ids, rooms through the
 * injectable `ConnectionRegistry`. BENCH_VARIANT=dto puts class-validator DTOs on the handlers;
 * BENCH_REDIS_URL turns on the Redis broker; BENCH_RECOVERY=<size> turns on missed-message
 * recovery with that history size per stream (in process, or on Redis with the Redis broker);
 * BENCH_METRICS=1 turns on the Prometheus metrics.
 *
 * The only departure from the defaults is `limits`: the benchmark sends far more than 50 messages
 * a second per connection, from one user, over 10 000 connections, so the per-connection rate,
 * the per-user cap and the instance cap are raised (the checks themselves still run).
 */
import 'reflect-metadata';
import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { IsInt, IsString, Length, Matches, Min } from 'class-validator';
import {
  ConnectionRegistry,
  CurrentConnection,
  RealtimeAdapter,
  type RealtimeConnection,
  RealtimeGateway,
  RealtimeModule,
  StreamLog,
} from 'nestjs-realtime';
import { NEST_LOGGER, ready, REDIS_PREFIX, REDIS_URL, SECRET, VARIANT } from './common.js';
import { historyCommands } from './realtime-history.js';

/** History size per stream with recovery on; undefined: recovery off (the default). */
const HISTORY = process.env['BENCH_RECOVERY'] ? Number(process.env['BENCH_RECOVERY']) : undefined;

@RealtimeGateway({ path: '/ws' })
class PlainGateway {
  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }

  @SubscribeMessage('join')
  join(@MessageBody() data: { room: string }, @CurrentConnection() conn: RealtimeConnection): true {
    this.registry.join(conn, data.room);
    return true;
  }

  @SubscribeMessage('publish')
  publish(@MessageBody() data: { room: string; t: number }): void {
    // Room `*`: every connection (the connections scenario's broadcast to all).
    (data.room === '*' ? this.registry.all() : this.registry.to(data.room)).emit('tick', data);
  }
}

class EchoDto {
  @IsInt()
  @Min(0)
  s!: number;

  @IsString()
  @Length(1, 100)
  text!: string;
}

class JoinDto {
  @Matches(/^[a-z0-9_-]{1,64}$/)
  room!: string;
}

class PublishDto extends JoinDto {
  @IsInt()
  t!: number;
}

@RealtimeGateway({ path: '/ws' })
class DtoGateway {
  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('echo')
  echo(@MessageBody() dto: EchoDto): EchoDto {
    return dto;
  }

  @SubscribeMessage('join')
  join(@MessageBody() dto: JoinDto, @CurrentConnection() conn: RealtimeConnection): true {
    this.registry.join(conn, dto.room);
    return true;
  }

  @SubscribeMessage('publish')
  publish(@MessageBody() dto: PublishDto): void {
    this.registry.to(dto.room).emit('tick', dto);
  }
}

const gateway: Type = VARIANT === 'dto' ? DtoGateway : PlainGateway;

@Module({
  imports: [
    RealtimeModule.forRoot({
      jwt: { secret: SECRET, algorithms: ['HS256'] },
      limits: {
        messagesPerSecond: 1_000_000,
        messageBurst: 1_000_000,
        connections: 100_000,
        connectionsPerUser: 100_000,
        pendingHandshakes: 10_000,
      },
      // The connections scenario measures the heartbeat: BENCH_HEARTBEAT_MS (default 30 s).
      ...(process.env['BENCH_HEARTBEAT_MS']
        ? { heartbeatIntervalMs: Number(process.env['BENCH_HEARTBEAT_MS']) }
        : {}),
      ...(REDIS_URL ? { redis: { url: REDIS_URL, prefix: REDIS_PREFIX } } : {}),
      ...(HISTORY === undefined ? {} : { recovery: { history: { size: HISTORY } } }),
      // BENCH_METRICS=1: Prometheus metrics on (the cost of counting; nobody scrapes meanwhile).
      ...(process.env['BENCH_METRICS'] === '1' ? { metrics: true } : {}),
    }),
  ],
  providers: [gateway],
})
class BenchModule {}

const app = await NestFactory.create(BenchModule, { logger: NEST_LOGGER });
app.useWebSocketAdapter(new RealtimeAdapter(app));
await app.listen(0, '127.0.0.1');
const registry = app.get(ConnectionRegistry);
// With Redis: ready once subscribed (cross-instance delivery works).
while (!registry.health().ready) await new Promise((resolve) => setTimeout(resolve, 20));
// BENCH_IDLE_APP: imported by raw-ws.ts as a bystander (its process's footprint); raw ws reports.
if (!process.env['BENCH_IDLE_APP']) {
  // The bus's counters ride on every stats reply: `received` says how many publications of
  // other instances reached this one (the scaleout scenario's point).
  ready(
    (app.getHttpServer().address() as { port: number }).port,
    () => registry.size,
    REDIS_URL ? () => registry.health() : undefined,
    historyCommands(registry, app.get(StreamLog), HISTORY !== undefined),
  );
}
