import { Logger } from '@nestjs/common';
import { isObservable, type Observable } from 'rxjs';
import { isObject } from '../../protocol/index.js';
import type { BoundHandler, ConnectionState } from '../connection/connection-state.js';
import { OK } from '../metrics/meter.js';
import { handlerFailed, push, reply, type Envelope } from './replies.js';

/** Per-connection concurrency of handlers (from the module's limits). */
export interface HandlerRunnerLimits {
  /** Handlers running at once per connection. */
  concurrentHandlers: number;
  /** Calls waiting for a slot per connection. */
  queuedMessages: number;
}

const logger = new Logger('RealtimeAdapter');

/** Event names are the gateways' own (a handler ran), so this bounds nothing a client controls. */
const MAX_WARNED_EVENTS = 1000;

function isWsResponse(value: unknown): value is { event: string; data: unknown } {
  return isObject(value) && typeof value['event'] === 'string' && 'data' in value;
}

/**
 * Runs a connection's Nest handlers: at most `concurrentHandlers` at once, the rest queued in
 * order; settles what a handler returns (a value, a promise or an Observable) into exactly one
 * reply per `id`, or into `WsResponse` pushes when there is no `id`.
 */
export class HandlerRunner {
  private readonly warned = new Set<string>();

  constructor(private readonly limits: HandlerRunnerLimits) {}

  /** Runs the handler now, or queues it. False when the queue is full (nothing was done). */
  schedule(state: ConnectionState, envelope: Envelope, handler: BoundHandler): boolean {
    if (state.inFlight < this.limits.concurrentHandlers) {
      this.invoke(state, envelope, handler);
      return true;
    }
    if (state.queue.length >= this.limits.queuedMessages) return false;
    state.queue.push(() => this.invoke(state, envelope, handler));
    return true;
  }

  /** A handler finished: start the next queued one (none once a close is decided). */
  private release(state: ConnectionState): void {
    state.inFlight--;
    if (!state.isOpen) {
      state.queue.length = 0;
      return;
    }
    state.queue.shift()?.();
  }

  private invoke(state: ConnectionState, envelope: Envelope, handler: BoundHandler): void {
    state.inFlight++;
    // A direct handler starts one microtask later (a queued callback, not a promise and its
    // reactions): every message of a read has started before any of them runs.
    if (handler.deferred) queueMicrotask(() => this.call(state, envelope, handler));
    else this.call(state, envelope, handler);
  }

  private call(state: ConnectionState, envelope: Envelope, handler: BoundHandler): void {
    const started = state.writer.meter ? performance.now() : 0;
    let result: unknown;
    try {
      result = handler.deferred
        ? handler(envelope.data, envelope.event, state.socket)
        : handler(envelope.data, envelope.event);
    } catch (error) {
      this.measure(state, envelope, started, false);
      handlerFailed(state, envelope, error);
      return this.release(state);
    }
    if (result instanceof Promise) {
      result.then(
        (value) => {
          // Reply first, then start the next queued handler: its pushes come after this reply.
          this.settleWhenSubscribed(state, envelope, value, started);
        },
        (error) => {
          this.measure(state, envelope, started, false);
          handlerFailed(state, envelope, error);
          this.release(state);
        },
      );
      return;
    }
    this.settleWhenSubscribed(state, envelope, result, started);
  }

  /**
   * With metrics on: the handler's time until its result settled (an Observable: until it was
   * subscribed), and `ok` when it did not fail (a failure's code is counted with its answer).
   */
  private measure(state: ConnectionState, envelope: Envelope, started: number, ok: boolean): void {
    const meter = state.writer.meter;
    if (!meter) return;
    const stats = meter.statsOf(envelope.event, true);
    stats.durations.observe((performance.now() - started) / 1000);
    if (ok) stats.answered(OK);
  }

  /**
   * Settles once the subscriptions the handler's joins started are confirmed (at once when there
   * are none), then releases the slot.
   */
  private settleWhenSubscribed(
    state: ConnectionState,
    envelope: Envelope,
    value: unknown,
    started: number,
  ): void {
    const subscribing = state.subscribing;
    if (!subscribing) {
      this.settle(state, envelope, value, started);
      return this.release(state);
    }
    void subscribing.then(() => {
      if (state.subscribing === subscribing) state.subscribing = undefined;
      this.settle(state, envelope, value, started);
      this.release(state);
    });
  }

  /** Measured here, except an Observable's outcome, which comes with its first value or end. */
  private settle(
    state: ConnectionState,
    envelope: Envelope,
    value: unknown,
    started: number,
  ): void {
    const observable = typeof value === 'object' && isObservable(value);
    if (state.writer.meter) this.measure(state, envelope, started, !observable);
    if (observable) return this.settleObservable(state, envelope, value);
    if (envelope.id !== undefined) return reply(state, envelope.id, value ?? null);
    if (isWsResponse(value)) {
      push(state, value.event, value.data);
      return;
    }
    if (value !== undefined && value !== null) this.warnDropped(envelope.event);
  }

  /**
   * A value returned to a message without `id` has no reply to go in (stock Nest would send it
   * raw). Said once per event, since a client that never sends ids would flood the log.
   */
  private warnDropped(event: string): void {
    if (this.warned.has(event) || this.warned.size >= MAX_WARNED_EVENTS) return;
    this.warned.add(event);
    logger.warn(
      `The handler of "${event}" returned a value to a message without "id": nothing was sent. Send requests with an id, return nothing, or return {event, data} to push.`,
    );
  }

  /**
   * With an `id`: the first value is the reply. Without: every `WsResponse` value is pushed. Its
   * outcome is `ok` at the reply (or the completion), else the error's code.
   */
  private settleObservable(
    state: ConnectionState,
    envelope: Envelope,
    source: Observable<unknown>,
  ): void {
    const { id } = envelope;
    let replied = false;
    const ok = (): void => state.writer.meter?.statsOf(envelope.event, true).answered(OK);
    const subscription = source.subscribe({
      next: (value) => {
        if (id === undefined) {
          if (isWsResponse(value)) push(state, value.event, value.data);
          return;
        }
        if (replied) return;
        replied = true;
        ok();
        reply(state, id, value ?? null);
        queueMicrotask(() => subscription?.unsubscribe());
      },
      error: (error: unknown) => {
        if (!replied) handlerFailed(state, envelope, error);
      },
      complete: () => {
        if (id === undefined) return ok();
        if (replied) return;
        replied = true;
        ok();
        reply(state, id, null);
      },
    });
  }
}
