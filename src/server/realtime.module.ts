import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AsyncApiDocument } from './asyncapi/asyncapi-document.js';
import { JwtHandshakeGuard } from './handshake/jwt-handshake.guard.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { InProcessBroker } from './broker/in-process/in-process.broker.js';
import { PresenceStore } from './broker/presence-store.js';
import { RealtimeBroker } from './broker/realtime-broker.js';
import { SessionStore } from './recovery/session-store.js';
import { StreamLog } from './recovery/stream-log.js';
import { RealtimeBus } from './broker/realtime-bus.js';
import { RedisBroker } from './broker/redis/redis.broker.js';
import { RethrowFilter } from './filters/rethrow.filter.js';
import { GatewayCatalog } from './gateway/gateway-catalog.js';
import { Heartbeat } from './connection/heartbeat.js';
import { RealtimeHealth } from './health/realtime-health.js';
import { RealtimeMetrics } from './metrics/realtime-metrics.js';
import { RealtimeValidationPipe } from './pipes/realtime-validation.pipe.js';
import { RESOLVED_OPTIONS } from './realtime.constants.js';
import { ConfigurableModuleClass, REALTIME_MODULE_OPTIONS } from './realtime.module-definition.js';
import type { RealtimeModuleOptions, ResolvedRealtimeOptions } from './realtime.options.js';
import { resolveRealtimeOptions } from './realtime.options-validation.js';
import { ConnectionRegistry } from './registry/connection-registry.js';

/**
 * WebSocket gateways done right: JWT verified at the HTTP Upgrade, the `realtime.v1` envelope,
 * validated payloads, coded errors and an injectable `ConnectionRegistry`.
 *
 * ```ts
 * @Module({ imports: [RealtimeModule.forRoot({ jwt: { secret: process.env.JWT_SECRET } })] })
 * export class AppModule {}
 * // main.ts
 * app.useWebSocketAdapter(new RealtimeAdapter(app));
 * ```
 *
 * Global by default (`isGlobal: false` to opt out), so any service can inject the registry.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: RESOLVED_OPTIONS,
      useFactory: (options: RealtimeModuleOptions) => resolveRealtimeOptions(options),
      inject: [REALTIME_MODULE_OPTIONS],
    },
    {
      provide: RealtimeBroker,
      useFactory: ({ broker, redis }: ResolvedRealtimeOptions) => {
        if (broker instanceof RealtimeBroker) return broker;
        if (broker)
          return new RealtimeBroker(broker.bus, broker.presence, broker.log, broker.sessions);
        return redis ? new RedisBroker(redis) : new InProcessBroker();
      },
      inject: [RESOLVED_OPTIONS],
    },
    { provide: RealtimeBus, useFactory: (b: RealtimeBroker) => b.bus, inject: [RealtimeBroker] },
    {
      provide: PresenceStore,
      useFactory: (b: RealtimeBroker) => b.presence,
      inject: [RealtimeBroker],
    },
    { provide: StreamLog, useFactory: (b: RealtimeBroker) => b.log, inject: [RealtimeBroker] },
    {
      provide: SessionStore,
      useFactory: (b: RealtimeBroker) => b.sessions,
      inject: [RealtimeBroker],
    },
    TokenVerifier,
    JwtHandshakeGuard,
    ConnectionRegistry,
    GatewayCatalog,
    Heartbeat,
    RealtimeHealth,
    RealtimeMetrics,
    RealtimeValidationPipe,
    RethrowFilter,
    AsyncApiDocument,
  ],
  exports: [
    RESOLVED_OPTIONS,
    RealtimeBroker,
    RealtimeBus,
    PresenceStore,
    StreamLog,
    SessionStore,
    TokenVerifier,
    JwtHandshakeGuard,
    ConnectionRegistry,
    Heartbeat,
    RealtimeHealth,
    RealtimeMetrics,
    RealtimeValidationPipe,
    RethrowFilter,
    AsyncApiDocument,
  ],
})
export class RealtimeModule extends ConfigurableModuleClass {}
