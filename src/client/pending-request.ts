import { ClientErrorCode, RequestError } from './client.errors.js';

/** How a request settled: seen synchronously, before its promise's callbacks run. */
export type RequestOutcome = { data: unknown } | { error: RequestError };

/**
 * One request between `request()` and its settlement: queued, then in flight, then settled
 * exactly once (reply, error reply, timeout, disconnect or close). Its timer runs from when it
 * is sent, or from when it starts waiting for a connection (`startTimer` is called then), so the
 * wait for the client's own pacing is not counted and the wait for a connection is.
 */
export class PendingRequest {
  readonly promise: Promise<unknown>;
  private resolveFn: (data: unknown) => void = () => undefined;
  private rejectFn: (error: RequestError) => void = () => undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settled = false;

  constructor(
    readonly id: number,
    readonly event: string,
    readonly frame: string,
    readonly timeoutMs: number,
    /** Sees the outcome at once (`$resume`: its reply must apply before the next frame). */
    private readonly onSettle?: (outcome: RequestOutcome) => void,
  ) {
    this.promise = new Promise<unknown>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
  }

  /** Whether the request has been settled. */
  get done(): boolean {
    return this.settled;
  }

  /**
   * Starts the timeout, unless it runs already or the request is settled; `onTimeout` unlinks
   * the request, then it rejects with `TIMEOUT`.
   */
  startTimer(timeoutMs: number, onTimeout: (request: PendingRequest) => void): void {
    if (this.timer !== undefined || this.settled) return;
    this.timer = setTimeout(() => {
      onTimeout(this);
      const message = `No reply to "${this.event}" within ${timeoutMs} ms`;
      this.reject(new RequestError(this.event, ClientErrorCode.TIMEOUT, message));
    }, timeoutMs);
  }

  /** Settles with the reply's `data`. */
  resolve(data: unknown): void {
    if (!this.finish()) return;
    this.onSettle?.({ data });
    this.resolveFn(data);
  }

  /** Settles with an error. */
  reject(error: RequestError): void {
    if (!this.finish()) return;
    this.onSettle?.({ error });
    this.rejectFn(error);
  }

  /** Rejects with a client-side code. */
  fail(code: string, message: string): void {
    this.reject(new RequestError(this.event, code, message));
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }
}
