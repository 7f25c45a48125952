import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import type { WebSocketServer } from 'ws';
import { ConnectionLifecycle } from './connection/connection-lifecycle.js';
import { Heartbeat } from './connection/heartbeat.js';
import { HandshakeException } from './errors/handshake.exception.js';
import { GatewayCatalog } from './gateway/gateway-catalog.js';
import { HandshakeCapacity } from './handshake/handshake-capacity.js';
import { refreshPrincipal } from './handshake/refresh-principal.js';
import { UpgradeHandler, type AcceptedUpgrade } from './handshake/upgrade-handler.js';
import { UpgradeTargets } from './gateway/upgrade-targets.js';
import { DirectHandlers } from './messages/direct-handlers.js';
import { MessageDispatcher } from './messages/message-dispatcher.js';
import type { RefreshPrincipal } from './messages/reserved-events.js';
import { RealtimeMetrics } from './metrics/realtime-metrics.js';
import { RealtimeValidationPipe } from './pipes/realtime-validation.pipe.js';
import { RESOLVED_OPTIONS } from './realtime.constants.js';
import type { ResolvedRealtimeOptions } from './realtime.options.js';
import { RealtimeConfigError } from './realtime.options-validation.js';
import { SessionResumer } from './recovery/session-resumer.js';
import { ConnectionRegistry } from './registry/connection-registry.js';

/** What `RealtimeAdapter` serves realtime gateways with, made once from the app. */
export interface RealtimeServices {
  readonly options: ResolvedRealtimeOptions;
  readonly capacity: HandshakeCapacity;
  readonly upgrades: UpgradeHandler;
  readonly connections: ConnectionLifecycle;
  readonly targets: UpgradeTargets;
}

/** What the adapter lends the services. */
export interface AdapterParts {
  readonly logger: LoggerService;
  /** The `ws` server of each realtime path. */
  readonly servers: ReadonlyMap<string, WebSocketServer>;
  /** Opens the connection of an accepted upgrade. */
  readonly open: (services: RealtimeServices, upgrade: AcceptedUpgrade) => void;
}

function optionsOf(app: INestApplicationContext): ResolvedRealtimeOptions {
  try {
    return app.get(RESOLVED_OPTIONS, { strict: false });
  } catch {
    throw new RealtimeConfigError(
      'RealtimeAdapter found no RealtimeModule; import RealtimeModule.forRoot({...}) in your AppModule.',
    );
  }
}

/** `$auth` runs the guards of the connection's path, as its upgrade did. */
function refresher(
  options: ResolvedRealtimeOptions,
  targets: UpgradeTargets,
  logger: LoggerService,
): RefreshPrincipal {
  const { handshakeTimeoutMs: timeoutMs, retryAfterSec } = options.limits;
  const limits = { timeoutMs, retryAfterSec };
  return (state, token) => {
    const target = targets.resolve(state.path);
    if (!target) throw HandshakeException.unauthorized('This endpoint no longer accepts tokens');
    return refreshPrincipal(target.guards, state, token, state.upgradeRequest, limits, logger);
  };
}

/** Builds the services from the app's `RealtimeModule` (see {@link RealtimeServices}). */
export function createServices(
  app: INestApplicationContext,
  parts: AdapterParts,
): RealtimeServices {
  const options = optionsOf(app);
  const get = <T>(token: abstract new (...args: never[]) => T): T =>
    app.get(token, { strict: false });
  const registry = get(ConnectionRegistry);
  const catalog = get(GatewayCatalog);
  const meter = get(RealtimeMetrics).meter;
  const { logger } = parts;
  catalog.markServed();
  const pipe = new RealtimeValidationPipe(options);
  const direct = new DirectHandlers(app, (path) => catalog.get(path), pipe);
  const targets = new UpgradeTargets(catalog, parts.servers, direct);
  const capacity = new HandshakeCapacity(options.limits, registry);
  const resumer =
    registry.recovery &&
    new SessionResumer(
      registry.recovery,
      (state, room) => registry.join(state, room),
      options.limits.roomsPerConnection + 2,
    );
  const connections = new ConnectionLifecycle({
    options,
    list: registry,
    heartbeat: get(Heartbeat),
    inbound: new MessageDispatcher(options, refresher(options, targets, logger), resumer),
    logger,
    meter,
  });
  const services: RealtimeServices = {
    options,
    capacity,
    connections,
    targets,
    upgrades: new UpgradeHandler({
      options,
      capacity,
      resolve: (path) => targets.resolve(path),
      open: (upgrade) => parts.open(services, upgrade),
      logger,
      meter,
    }),
  };
  return services;
}
