import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, ModuleRef } from '@nestjs/core';
import { MAX_EVENT_LENGTH, RESERVED_EVENT_PREFIX } from '../../protocol/index.js';
import type { HandshakeGuard } from '../handshake/handshake-guard.js';
import type { HandlerTarget } from '../messages/handler-target.js';
import { JwtHandshakeGuard } from '../handshake/jwt-handshake.guard.js';
import { REALTIME_GATEWAY, RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { RealtimeConfigError } from '../realtime.options-validation.js';
import { hasShadowedValidationPipe } from './gateway-enhancers.js';
import { normalizePath, sharedPath } from './gateway-path.js';
import type { RealtimeGatewayMetadata } from './realtime-gateway.decorator.js';

// Metadata keys of @nestjs/websockets (stable strings, not exported from its public entry).
const GATEWAY_METADATA = 'websockets:is_gateway';
const GATEWAY_OPTIONS = 'websockets:gateway_options';
const PORT_METADATA = 'port';
const MESSAGE_MAPPING_METADATA = 'websockets:message_mapping';
const MESSAGE_METADATA = 'message';

/** The handler of one event: its gateway class and method (read by the AsyncAPI document). */
export interface HandlerRef {
  readonly event: string;
  readonly gateway: Type;
  readonly method: string;
}

/** Everything served on one gateway path. */
export interface PathEntry {
  readonly path: string;
  /** `Gateway.method` per event, to report duplicates. */
  readonly events: Map<string, string>;
  /** The handler of each event (for the adapter's direct path). */
  readonly handlers: Map<string, HandlerTarget>;
  readonly guards: HandshakeGuard[];
  /** The gateway classes on this path and their handlers, in discovery order. */
  readonly gateways: Type[];
  /** Their instances; `isStatic` false for a request-scoped gateway. */
  readonly instances: { readonly instance: object; readonly isStatic: boolean }[];
  readonly handlerRefs: HandlerRef[];
}

/**
 * Finds every gateway at boot and checks it: declared with `@RealtimeGateway()`, on the app's
 * HTTP server, no reserved or over-long event names, and no event handled twice on one path.
 * Resolves the handshake guards of each path for the adapter.
 */
@Injectable()
export class GatewayCatalog implements OnModuleInit, OnApplicationBootstrap {
  private readonly paths = new Map<string, PathEntry>();
  private ready = false;
  private served = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly moduleRef: ModuleRef,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly http: HttpAdapterHost,
  ) {}

  /** Called by `RealtimeAdapter` when it serves this app's realtime gateways. */
  markServed(): void {
    this.served = true;
  }

  /**
   * An HTTP app whose realtime gateways another adapter serves (stock `WsAdapter`, or Nest's
   * default socket.io) would run them without authentication or the protocol: refuse to start.
   * A standalone context (no HTTP adapter) connects no gateway and is left alone.
   */
  onApplicationBootstrap(): void {
    if (this.paths.size === 0 || this.served || !this.http.httpAdapter) return;
    throw new RealtimeConfigError(
      `@RealtimeGateway() classes need RealtimeAdapter, but another WebSocket adapter serves them. Add app.useWebSocketAdapter(new RealtimeAdapter(app)) in main.ts, and in e2e tests withRealtimeAdapter(app) from 'nestjs-realtime/testing' before app.init().`,
    );
  }

  /** Whether `onModuleInit` has run (the adapter refuses upgrades before). */
  get isReady(): boolean {
    return this.ready;
  }

  get(path: string): PathEntry | undefined {
    return this.paths.get(path);
  }

  /** Every realtime path, in discovery order (empty before `onModuleInit`). */
  entries(): PathEntry[] {
    return [...this.paths.values()];
  }

  async onModuleInit(): Promise<void> {
    const globalGuards = this.options.handshakeGuards ?? [JwtHandshakeGuard];
    const guardsByPath = new Map<string, Type<HandshakeGuard>[]>();
    const plainPaths = new Set<string>();
    for (const wrapper of this.discovery.getProviders()) {
      const { metatype, instance } = wrapper;
      if (!metatype || !instance || !Reflect.getMetadata(GATEWAY_METADATA, metatype)) continue;
      // A plain @WebSocketGateway() is served the stock way (see PlainGateways).
      if (!Reflect.getMetadata(REALTIME_GATEWAY, metatype)) {
        const plainPath = this.plainPathOf(metatype as Type);
        if (plainPath !== undefined) plainPaths.add(plainPath);
        continue;
      }
      const meta = this.checkGateway(metatype as Type);
      const entry = this.entryFor(meta.path);
      entry.gateways.push(metatype as Type);
      const isStatic = wrapper.isDependencyTreeStatic();
      entry.instances.push({ instance: instance as object, isStatic });
      this.collectEvents(entry, metatype as Type, instance as object, isStatic);
      const guards = guardsByPath.get(entry.path) ?? [...globalGuards];
      for (const guard of meta.handshakeGuards) if (!guards.includes(guard)) guards.push(guard);
      guardsByPath.set(entry.path, guards);
    }
    // Nest gives gateways of one path one server: a plain one would join the realtime path.
    for (const path of plainPaths) if (this.paths.has(path)) throw sharedPath(path);
    for (const [path, guards] of guardsByPath) {
      const entry = this.paths.get(path);
      for (const guard of guards) entry?.guards.push(await this.resolveGuard(guard));
    }
    this.ready = true;
  }

  /** The path of a plain gateway on the app's HTTP server (none for one on its own port). */
  private plainPathOf(metatype: Type): string | undefined {
    const port = Reflect.getMetadata(PORT_METADATA, metatype) as number | undefined;
    if (port) return undefined;
    const options = Reflect.getMetadata(GATEWAY_OPTIONS, metatype) as { path?: string } | undefined;
    return options?.path ? normalizePath(options.path) : '/';
  }

  private checkGateway(metatype: Type): RealtimeGatewayMetadata {
    const meta = Reflect.getMetadata(REALTIME_GATEWAY, metatype) as RealtimeGatewayMetadata;
    if (hasShadowedValidationPipe(metatype)) {
      throw new RealtimeConfigError(
        `${metatype.name} has a class-level @UsePipes(ValidationPipe) above @RealtimeGateway(); move it below @RealtimeGateway() (or onto the handlers) so that it replaces the module's validation instead of running after it.`,
      );
    }
    const port = Reflect.getMetadata(PORT_METADATA, metatype) as number | undefined;
    const options = Reflect.getMetadata(GATEWAY_OPTIONS, metatype) as { path?: string } | undefined;
    if (port || options?.path !== meta.path) {
      throw new RealtimeConfigError(
        `${metatype.name} combines @RealtimeGateway() with its own @WebSocketGateway() options; use only @RealtimeGateway({ path }). Gateways are served on the app's HTTP server.`,
      );
    }
    return meta;
  }

  private entryFor(rawPath: string): PathEntry {
    const path = normalizePath(rawPath);
    let entry = this.paths.get(path);
    if (!entry) {
      entry = {
        path,
        events: new Map(),
        handlers: new Map(),
        guards: [],
        gateways: [],
        instances: [],
        handlerRefs: [],
      };
      this.paths.set(path, entry);
    }
    return entry;
  }

  private collectEvents(
    entry: PathEntry,
    gateway: Type,
    instance: object,
    isStatic: boolean,
  ): void {
    const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const method of this.scanner.getAllMethodNames(proto)) {
      const callback = proto[method];
      if (typeof callback !== 'function') continue;
      if (Reflect.getMetadata(MESSAGE_MAPPING_METADATA, callback) === undefined) continue;
      const event = Reflect.getMetadata(MESSAGE_METADATA, callback) as unknown;
      const where = `${gateway.name}.${method}`;
      this.checkEvent(entry, event, where);
      entry.events.set(event as string, where);
      entry.handlerRefs.push({ event: event as string, gateway, method });
      const target = callback as HandlerTarget['callback'];
      entry.handlers.set(event as string, {
        instance,
        methodName: method,
        callback: target,
        isStatic,
      });
    }
  }

  private checkEvent(entry: PathEntry, event: unknown, where: string): void {
    if (typeof event !== 'string' || event.length === 0 || event.length > MAX_EVENT_LENGTH) {
      throw new RealtimeConfigError(
        `${where}: event names must be strings of 1-${MAX_EVENT_LENGTH} characters.`,
      );
    }
    if (event.startsWith(RESERVED_EVENT_PREFIX)) {
      throw new RealtimeConfigError(
        `${where}: "${event}" starts with "$", which is reserved for the protocol; rename the event.`,
      );
    }
    const other = entry.events.get(event);
    if (other) {
      throw new RealtimeConfigError(
        `event "${event}" on path ${entry.path} is handled by both ${other} and ${where}; an event may have one handler per path. Rename one, or move one gateway to another path.`,
      );
    }
  }

  private async resolveGuard(guard: Type<HandshakeGuard>): Promise<HandshakeGuard> {
    try {
      return this.moduleRef.get(guard, { strict: false });
    } catch {
      return this.moduleRef.create(guard);
    }
  }
}
