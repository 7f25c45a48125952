import type { LoggerService } from '@nestjs/common';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../../protocol/index.js';
import type { RealtimePrincipal } from '../auth/principal.js';
import { within } from '../common/within.js';
import { redact } from '../errors/redact.js';
import { EventLog } from '../logging/event-log.js';
import type { Meter } from '../metrics/meter.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { ConnectionSession } from '../recovery/connection-session.js';
import { attachState, stateOf } from './connection-map.js';
import { ConnectionState } from './connection-state.js';
import type { InboundLimitOptions } from './inbound-limits.js';
import type { Heartbeat } from './heartbeat.js';
import { clearExpiry, scheduleExpiry } from './token-expiry.js';

/** Closes a server makes in the normal course of things (a drain, a restart). */
const ROUTINE_CLOSES = new Set<number>([
  CloseCode.NORMAL,
  CloseCode.GOING_AWAY,
  CloseCode.SERVICE_RESTART,
]);

/** Where open connections are listed (the `ConnectionRegistry`). */
export interface ConnectionList {
  /** A new connection id, unique across instances. */
  nextId(): string;
  add(state: ConnectionState): void;
  remove(state: ConnectionState): void;
}

/** Where a connection's frames go (the `MessageDispatcher`). */
export interface InboundSink {
  onMessage(state: ConnectionState, raw: RawData, isBinary: boolean): void;
  replay(state: ConnectionState): void;
}

export interface ConnectionLifecycleDeps {
  readonly options: ResolvedRealtimeOptions;
  readonly list: ConnectionList;
  readonly heartbeat: Heartbeat;
  readonly inbound: InboundSink;
  readonly logger: LoggerService;
  /** Set when metrics are on. */
  readonly meter?: Meter;
}

/**
 * Opens and closes connections: one {@link ConnectionState} per accepted socket, listed,
 * watched by the heartbeat and the expiry queue, its frames sent to the dispatcher; and at the
 * close, exactly once: disconnect callbacks, then the registry, the heartbeat and the timers.
 */
export class ConnectionLifecycle {
  private readonly disconnectWork = new Set<Promise<unknown>>();
  private readonly events: EventLog;
  // One of each for every socket (`this` is the socket, its state found by `stateOf`): a
  // closure, or a `once` wrapper, per socket and event cost ~100 bytes each per connection.
  private readonly replay: (state: ConnectionState) => void;
  private readonly onError: (this: WebSocket, error: Error) => void;
  private readonly onPong: (this: WebSocket) => void;
  private readonly onClose: (this: WebSocket, code: number, reason: Buffer) => void;
  private readonly onMessage: (this: WebSocket, raw: RawData, isBinary: boolean) => void;
  /** The inbound limits every connection starts with (the options are fixed once resolved). */
  private readonly limits: InboundLimitOptions;

  constructor(private readonly deps: ConnectionLifecycleDeps) {
    const { inbound, logger } = deps;
    this.events = new EventLog(logger);
    const closed = (state: ConnectionState, code: number, reason: Buffer): void =>
      this.closed(state, code, reason);
    this.replay = (state) => inbound.replay(state);
    this.onError = function (error) {
      logger.debug?.(`Socket ${stateOf(this)?.id}: ${error.message}`);
    };
    this.onPong = function () {
      const state = stateOf(this);
      if (state) state.alive = true;
    };
    // ws emits `close` once per socket.
    this.onClose = function (code, reason) {
      const state = stateOf(this);
      if (state) closed(state, code, reason);
    };
    this.onMessage = function (raw, isBinary) {
      const state = stateOf(this);
      if (state) inbound.onMessage(state, raw, isBinary);
    };
    const { limits } = deps.options;
    this.limits = {
      messagesPerSecond: limits.messagesPerSecond,
      messageBurst: limits.messageBurst,
      rateLimitedBeforeClose: limits.rateLimitedBeforeClose,
      maxBadMessages: deps.options.maxBadMessages,
      windowMs: deps.options.badMessageWindowMs,
    };
  }

  /**
   * Builds and wires the state of a socket that has just opened; `resuming` is the recovery
   * session its upgrade named (its pushes are held from now until `$resume` is answered).
   */
  open(
    socket: WebSocket,
    path: string,
    principal: RealtimePrincipal,
    transport: Duplex,
    resuming?: string,
  ) {
    const { options, list, heartbeat, meter } = this.deps;
    const state = new ConnectionState(list.nextId(), path, principal, socket, {
      bufferLimit: options.limits.bufferedBytes,
      transport,
      limits: this.limits,
      replay: this.replay,
      requestUser: options.principal.requestUser,
      meter,
    });
    if (meter) meter.opened++;
    if (resuming !== undefined) state.session = new ConnectionSession(resuming);
    attachState(socket, state);
    list.add(state);
    heartbeat.track(state);
    scheduleExpiry(state, options.jwt.clockToleranceSec * 1000);
    socket.on('error', this.onError);
    socket.on('pong', this.onPong);
    socket.on('message', this.onMessage);
    socket.on('close', this.onClose);
    return state;
  }

  /** Waits for async disconnect hooks still running, at most `ms`. */
  async settleDisconnects(ms: number): Promise<void> {
    await within(Promise.all(this.disconnectWork), ms);
  }

  /** One line per close: at `log` when this server closed it for a reason, else at `debug`. */
  private logClose(state: ConnectionState): void {
    const { code, reason } = state.closeInfo;
    const byServer = state.writer.decidedClose === code;
    const notable = byServer && !ROUTINE_CLOSES.has(code);
    // Most closes are debug lines, mostly not printed: their fields are not even gathered then.
    if (!notable && !this.events.printsDebug()) return;
    this.events.write(notable ? 'log' : 'debug', 'connection_closed', {
      code,
      by: byServer ? 'server' : 'peer',
      connection: state.id,
      user: state.userId,
      reason: reason || undefined,
    });
  }

  private closed(state: ConnectionState, code: number, reason: Buffer): void {
    const { list, heartbeat, logger } = this.deps;
    clearExpiry(state);
    heartbeat.untrack(state);
    state.closeInfo = { code, reason: reason.toString() };
    this.deps.meter?.connectionClosed(code, ...state.writer.wireBytes());
    this.logClose(state);
    for (const callback of state.disconnectCallbacks) {
      try {
        callback(state.closeInfo);
      } catch (error) {
        logger.error(`Disconnect handler failed: ${redact(String(error))}`);
      }
    }
    list.remove(state);
    state.queue.length = 0;
    if (state.disconnectWork.length === 0) return;
    const work = Promise.all(state.disconnectWork);
    this.disconnectWork.add(work);
    void work.finally(() => this.disconnectWork.delete(work));
  }
}
