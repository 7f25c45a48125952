import { ErrorCode, isObject, type ErrorPayload } from '../protocol/index.js';
import {
  ClientErrorCode,
  describeError,
  RealtimeClientError,
  RequestError,
} from './client.errors.js';
import { OfflineQueue } from './offline-queue.js';
import { Pacer, type PacingOptions } from './pacer.js';
import { PendingRequest, type RequestOutcome } from './pending-request.js';
import type { WebSocketLike } from './web-socket.js';

/** An emit waiting to be sent (a waiting request is its {@link PendingRequest}). */
interface QueuedEmit {
  frame: string;
}

type Waiting = PendingRequest | QueuedEmit;

/**
 * What an emit did: sent (or kept, in order, to send: `queued` while the client is not open), or
 * not, with the reason as a coded error (`CLOSED`, `QUEUE_FULL`, `BAD_PAYLOAD`).
 */
export type EmitResult = { ok: true; queued: boolean } | { ok: false; error: RealtimeClientError };

/** The options the outbox reads. */
export interface OutboxOptions extends PacingOptions {
  maxQueue: number;
  maxInFlight: number;
  /** Sees every frame written to the socket (the `debug` option). */
  sent?: (frame: string) => void;
}

/** The `error` of a reply, made safe to read whatever the peer sent. */
function toErrorPayload(error: Record<string, unknown>): ErrorPayload {
  return {
    code: typeof error['code'] === 'string' ? error['code'] : ErrorCode.INTERNAL,
    message: typeof error['message'] === 'string' ? error['message'] : 'Request failed',
    details: Array.isArray(error['details']) ? error['details'] : undefined,
  };
}

/**
 * Everything the client sends, in order. While the client is not open, frames wait in the
 * bounded offline queue (`maxQueue`); once `flush()`ed on a live socket they go out paced: at
 * most `maxInFlight` requests awaiting replies and the server's token-bucket rate, the rest
 * waiting in order. Requests are correlated by increasing integer ids until their reply,
 * timeout, disconnect or close; none hangs (see {@link PendingRequest} for when its timer runs).
 */
export class Outbox {
  private socket: WebSocketLike | undefined;
  /** Accepted while not open; held until `flush()` (after `onReconnect`). */
  private readonly offline: OfflineQueue<Waiting>;
  /** Accepted while open, waiting for the pacing. */
  private readonly paced = new OfflineQueue<Waiting>(Number.POSITIVE_INFINITY);
  private readonly inFlight = new Map<number, PendingRequest>();
  private readonly pacer: Pacer;
  private nextId = 0;

  constructor(private readonly options: OutboxOptions) {
    this.offline = new OfflineQueue(options.maxQueue);
    this.pacer = new Pacer(options, () => this.pump());
  }

  /** The open socket, or `undefined` while the client is not open. */
  get live(): WebSocketLike | undefined {
    return this.socket;
  }

  /**
   * A socket opened (new messages go out, paced; the offline queue waits for `flush()`), or the
   * client is no longer open (what waits for the pacing goes back to waiting for a connection).
   */
  set live(socket: WebSocketLike | undefined) {
    this.socket = socket;
    if (socket) {
      this.pacer.reset();
      return;
    }
    this.pacer.stop();
    for (const item of this.paced.drain()) this.wait(item, true);
  }

  /** Number of emits and requests waiting to be sent. */
  get queued(): number {
    return this.offline.size + this.paced.size;
  }

  /**
   * Sends a request (`queueable`), or an internal one (`$ping`, `$auth`, `$resume`: never queued
   * nor paced, failed at once when not live). The promise settles exactly once; `onSettle` sees
   * how, synchronously.
   */
  request(
    event: string,
    data: unknown,
    timeoutMs: number,
    queueable: boolean,
    onSettle?: (outcome: RequestOutcome) => void,
  ): Promise<unknown> {
    const id = ++this.nextId;
    const frame = serialize(event, data, id);
    if (frame instanceof RealtimeClientError) {
      const { code, message, cause } = frame;
      return Promise.reject(new RequestError(event, code, message, { cause }));
    }
    const request = new PendingRequest(id, event, frame, timeoutMs, onSettle);
    if (queueable) {
      const error = this.accept(request);
      if (error) request.fail(error.code, error.message);
      return request.promise;
    }
    if (!this.socket) request.fail(ClientErrorCode.DISCONNECTED, 'Not connected');
    else {
      this.pacer.force();
      this.sendRequest(request);
    }
    return request.promise;
  }

  /** Sends an event, or keeps it waiting in order; says which, or why not. */
  emit(event: string, data: unknown): EmitResult {
    const frame = serialize(event, data, undefined);
    if (frame instanceof RealtimeClientError) return { ok: false, error: frame };
    const queued = this.socket === undefined;
    const error = this.accept({ frame });
    if (!error) return { ok: true, queued };
    return { ok: false, error: new RealtimeClientError(error.code, error.message, { event }) };
  }

  /** Moves the offline queue, oldest first, behind what waits for the pacing, and sends. */
  flush(): void {
    if (!this.socket) return;
    for (const item of this.offline.drain()) this.paced.push(item, true);
    this.pump();
  }

  /** Settles the request a reply answers; replies to unknown ids (timed out) are ignored. */
  settle(id: number, reply: Record<string, unknown>): void {
    const request = this.inFlight.get(id);
    if (!request) return;
    this.inFlight.delete(id);
    const error = reply['error'];
    if (!isObject(error)) request.resolve(reply['data'] ?? null);
    else request.reject(RequestError.fromReply(request.event, toErrorPayload(error)));
    this.pump();
  }

  /** Rejects every request in flight (the socket is gone); waiting ones keep waiting. */
  failInFlight(code: string, message: string): void {
    const requests = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const request of requests) request.fail(code, message);
  }

  /** Rejects every request, in flight and waiting, and drops waiting emits (the client stops). */
  failAll(code: string, message: string): void {
    this.failInFlight(code, message);
    for (const item of [...this.offline.drain(), ...this.paced.drain()]) {
      if (item instanceof PendingRequest) item.fail(code, message);
    }
  }

  /** Takes a new emit or request; the error to fail it with when there is no room. */
  private accept(item: Waiting): { code: string; message: string } | undefined {
    if (this.socket) {
      this.paced.push(item);
      this.pump();
      return undefined;
    }
    if (this.wait(item, false)) return undefined;
    const message = `Offline queue is full (maxQueue ${this.options.maxQueue})`;
    return { code: ClientErrorCode.QUEUE_FULL, message };
  }

  /** Keeps an item until a connection: a request's timer runs from now. */
  private wait(item: Waiting, force: boolean): boolean {
    if (!this.offline.push(item, force)) return false;
    if (item instanceof PendingRequest) {
      item.startTimer(item.timeoutMs, (timedOut) => this.unlink(timedOut));
    }
    return true;
  }

  /** Sends what waits for the pacing, in order, while the limits allow. */
  private pump(): void {
    for (;;) {
      const next = this.paced.peek();
      if (!next || !this.socket) return;
      if (next instanceof PendingRequest && next.done) {
        this.paced.shift();
        continue;
      }
      const isRequest = next instanceof PendingRequest;
      if (isRequest && this.inFlight.size >= this.options.maxInFlight) return;
      if (!this.pacer.admit()) return;
      this.paced.shift();
      if (next instanceof PendingRequest) this.sendRequest(next);
      else this.sendFrame(next.frame);
    }
  }

  private unlink(request: PendingRequest): void {
    const wasInFlight = this.inFlight.delete(request.id);
    this.offline.remove(request);
    this.paced.remove(request);
    if (wasInFlight) this.pump();
  }

  private sendRequest(request: PendingRequest): void {
    this.inFlight.set(request.id, request);
    request.startTimer(request.timeoutMs, (timedOut) => this.unlink(timedOut));
    try {
      this.socket?.send(request.frame);
      this.options.sent?.(request.frame);
    } catch (error) {
      this.inFlight.delete(request.id);
      request.fail(ClientErrorCode.DISCONNECTED, `Send failed: ${describeError(error)}`);
    }
  }

  private sendFrame(frame: string): void {
    try {
      this.socket?.send(frame);
      this.options.sent?.(frame);
    } catch {
      // The socket is going away; its close event follows and the client reconnects.
    }
  }
}

/** The JSON frame of a message, or a `BAD_PAYLOAD` error when `data` cannot be serialized. */
function serialize(
  event: string,
  data: unknown,
  id: number | undefined,
): string | RealtimeClientError {
  try {
    return JSON.stringify({ event, data, id });
  } catch (error) {
    const message = `Payload of "${event}" is not JSON: ${describeError(error)}`;
    return new RealtimeClientError(ClientErrorCode.BAD_PAYLOAD, message, { event, cause: error });
  }
}
