import type { MessageDelivery } from '../broker/delivery.js';
import type { ConnectionState } from '../connection/connection-state.js';
import type { ResolvedRecovery } from './recovery-options.js';
import type { SessionRecord, SessionStore } from './session-store.js';
import { splitByStream } from './stream-split.js';
import type { PositionedReceiver, StreamLog } from './stream-log.js';

/** An open session's record outlives a process that died without closing it this long. */
const OPEN_TTL_MS = 24 * 3600 * 1000;

/**
 * @internal The registry's side of missed-message recovery: pushes split by stream and handed
 * to the stream log, the position where each session started following a stream, and the
 * session records written when a connection closes (shutdown waits for them).
 */
export class Recovery {
  private readonly saves = new Set<Promise<void>>();

  constructor(
    readonly options: ResolvedRecovery,
    readonly log: StreamLog,
    readonly sessions: SessionStore,
    private readonly warn: (error: unknown) => void,
  ) {}

  async start(receive: PositionedReceiver): Promise<void> {
    await Promise.all([this.log.start(receive), this.sessions.start()]);
  }

  /** Waits for the session records being written, then stops the stores. */
  async stop(): Promise<void> {
    await Promise.all(this.saves);
    await Promise.all([this.log.stop(), this.sessions.stop()]);
  }

  /**
   * Hands each stream's share of a push to the log (which delivers it, positioned, to every
   * instance); a share the log could not position goes to `unpositioned` (this instance's
   * sockets). Returns what has no stream, for the registry to send as before.
   */
  publish(
    delivery: MessageDelivery,
    unpositioned: (share: MessageDelivery) => void,
  ): MessageDelivery | undefined {
    const { shares, rest } = splitByStream(delivery.target, this.options.ruleOf);
    for (const { stream, target, rule } of shares) {
      // A push to a latest-value stream always has a key: its event's name by default.
      const latest = rule.conflate ? (delivery.latest ?? eventOf(delivery.frame)) : undefined;
      const share = { ...delivery, target, latest };
      this.log.append(stream, share, rule).catch(() => unpositioned(share));
    }
    return rest && { ...delivery, target: rest };
  }

  /**
   * A connection with a session started following `stream` (a room it joined): remember where
   * the stream is now; history before it is never replayed to it. Read at once, not after the
   * subscription is confirmed: a push in between is then in the history a resume reads (it may
   * not have reached the socket), never skipped.
   */
  follow(state: ConnectionState, stream: string, still: () => boolean): void {
    const session = state.session;
    if (session?.id === undefined) return;
    if (session.starts.has(stream) || !this.options.ruleOf(stream)) return this.persist(state);
    const read = this.log
      .top(stream)
      .then(
        (top) => void (still() && !session.starts.has(stream) && session.starts.set(stream, top)),
        this.warn,
      );
    session.pending.add(read);
    void read.finally(() => session.pending.delete(read));
    this.persist(state);
  }

  /** The connection stopped following `stream` (it left the room). */
  unfollow(state: ConnectionState, stream: string): void {
    state.session?.starts.delete(stream);
    this.persist(state);
  }

  /**
   * Writes the connection's session record: while it is open (a client whose network was cut
   * may resume before this instance notices), and at the close for `windowMs`. Writes of one
   * session are chained, so the last one wins; each waits for the reads of `starts` running.
   */
  persist(state: ConnectionState, closing = false): void {
    const session = state.session;
    const id = session?.id;
    if (session === undefined || id === undefined) return;
    // While a resume rejoins the rooms, the record it took is not written back (but at a close);
    // nor is anything of a connection that closed (its close wrote the last record).
    if (!closing && (session.restoring || !state.isOpen)) return;
    const ttlMs = closing ? this.options.windowMs : Math.max(this.options.windowMs, OPEN_TTL_MS);
    const save = session.saving
      .then(() => Promise.all(session.pending))
      .then(() => {
        // A connection that closed while it was being resumed leaves the session it resumed.
        const record: SessionRecord = session.restoring ?? {
          userId: state.userId,
          connectionId: state.id,
          rooms: [...state.rooms],
          starts: Object.fromEntries(session.starts),
        };
        return this.sessions.save(id, record, ttlMs);
      })
      .catch(this.warn);
    session.saving = save;
    this.saves.add(save);
    void save.finally(() => this.saves.delete(save));
  }

  /**
   * A connection that named a session at the upgrade opened: its positioned pushes are held
   * until its `$resume` is answered, or for `resumeTimeoutMs` (then the named session is void).
   */
  opened(state: ConnectionState): void {
    const session = state.session;
    if (!session?.held) return;
    session.holdTimer = setTimeout(() => {
      session.offered = undefined;
      for (const held of session.release()) state.writer.write(held.frame, held.volatile);
    }, this.options.resumeTimeoutMs);
    session.holdTimer.unref();
  }

  /** A connection with a session closed: its record waits `windowMs` for the client. */
  closed(state: ConnectionState): void {
    state.session?.release();
    this.persist(state, true);
  }
}

/** The event name of a serialized push `{"event":"<name>",...}` (the default conflation key). */
function eventOf(frame: string): string {
  const end = frame.indexOf('",', 10);
  return end > 10 ? frame.slice(10, end) : frame;
}
