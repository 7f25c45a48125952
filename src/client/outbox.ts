import { ErrorCode, isObject, type ErrorPayload } from '../protocol/index.js';
import {
  ClientErrorCode,
  describeError,
  RealtimeClientError,
  RequestError,
} from './client.errors.js';
import { OfflineQueue } from './offline-queue.js';
import { PendingRequest } from './pending-request.js';
import type { WebSocketLike } from './web-socket.js';

/** An emit waiting in the offline queue (a queued request is its {@link PendingRequest}). */
interface QueuedEmit {
  frame: string;
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
 * Everything the client sends: frames out on the live socket, or into the bounded offline queue
 * (order kept) while there is none; requests correlated by increasing integer ids until their
 * reply, timeout, disconnect or close. Never hangs a request: each one has a timer from the call.
 */
export class Outbox {
  /** The open socket, or `undefined` while the client is not open. */
  live: WebSocketLike | undefined;
  private readonly queue: OfflineQueue<PendingRequest | QueuedEmit>;
  private readonly inFlight = new Map<number, PendingRequest>();
  private nextId = 0;

  constructor(private readonly maxQueue: number) {
    this.queue = new OfflineQueue(maxQueue);
  }

  /** Number of queued emits and requests. */
  get queued(): number {
    return this.queue.size;
  }

  /**
   * Sends a request now, or queues it when not live (`queueable`; internal requests are not).
   * The promise settles exactly once.
   */
  request(event: string, data: unknown, timeoutMs: number, queueable: boolean): Promise<unknown> {
    const id = ++this.nextId;
    const frame = serialize(event, data, id);
    if (frame instanceof RealtimeClientError) {
      const { code, message, cause } = frame;
      return Promise.reject(new RequestError(event, code, message, { cause }));
    }
    const request = new PendingRequest(id, event, frame);
    request.startTimer(timeoutMs, (timedOut) => this.unlink(timedOut));
    if (this.live) this.sendRequest(request);
    else if (!queueable) request.fail(ClientErrorCode.DISCONNECTED, 'Not connected');
    else if (!this.queue.push(request))
      request.fail(ClientErrorCode.QUEUE_FULL, this.fullMessage());
    return request.promise;
  }

  /**
   * Sends an event now, or queues it when not live.
   * @throws RealtimeClientError `QUEUE_FULL` or `BAD_PAYLOAD`
   */
  emit(event: string, data: unknown): void {
    const frame = serialize(event, data, undefined);
    if (frame instanceof RealtimeClientError) throw frame;
    if (this.live) return this.sendFrame(frame);
    if (this.queue.push({ frame })) return;
    throw new RealtimeClientError(ClientErrorCode.QUEUE_FULL, this.fullMessage(), { event });
  }

  /** Sends the queue, oldest first, on the live socket. */
  flush(): void {
    for (const item of this.queue.drain()) {
      if (!(item instanceof PendingRequest)) this.sendFrame(item.frame);
      else if (!item.done) this.sendRequest(item);
    }
  }

  /** Settles the request a reply answers; replies to unknown ids (timed out) are ignored. */
  settle(id: number, reply: Record<string, unknown>): void {
    const request = this.inFlight.get(id);
    if (!request) return;
    this.inFlight.delete(id);
    const error = reply['error'];
    if (!isObject(error)) return request.resolve(reply['data'] ?? null);
    request.reject(RequestError.fromReply(request.event, toErrorPayload(error)));
  }

  /** Rejects every request in flight (the socket is gone); queued ones stay queued. */
  failInFlight(code: string, message: string): void {
    const requests = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const request of requests) request.fail(code, message);
  }

  /** Rejects every request, in flight and queued, and drops queued emits (the client stops). */
  failAll(code: string, message: string): void {
    this.failInFlight(code, message);
    for (const item of this.queue.drain()) {
      if (item instanceof PendingRequest) item.fail(code, message);
    }
  }

  private unlink(request: PendingRequest): void {
    this.inFlight.delete(request.id);
    this.queue.remove(request);
  }

  private sendRequest(request: PendingRequest): void {
    this.inFlight.set(request.id, request);
    try {
      this.live?.send(request.frame);
    } catch (error) {
      this.inFlight.delete(request.id);
      request.fail(ClientErrorCode.DISCONNECTED, `Send failed: ${describeError(error)}`);
    }
  }

  private sendFrame(frame: string): void {
    try {
      this.live?.send(frame);
    } catch {
      // The socket is going away; its close event follows and the client reconnects.
    }
  }

  private fullMessage(): string {
    return `Offline queue is full (maxQueue ${this.maxQueue})`;
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
