import { InProcessHub } from '../broker/in-process/in-process-hub.js';
import { SessionStore, type SessionRecord } from './session-store.js';

/** Closed sessions in the memory of the process, shared by the instances on one hub. */
export class InProcessSessionStore extends SessionStore {
  constructor(
    private readonly hub = new InProcessHub(),
    /** Sessions kept at most; the oldest are forgotten first. */
    private readonly maxSessions = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  override start(): Promise<void> {
    return Promise.resolve();
  }

  override stop(): Promise<void> {
    return Promise.resolve();
  }

  override save(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const { sessions } = this.hub;
    const now = this.now();
    // Saved in time order: expired ones are at the front.
    for (const [key, entry] of sessions) {
      if (entry.expires > now && sessions.size < this.maxSessions) break;
      sessions.delete(key);
    }
    sessions.delete(id);
    sessions.set(id, { record, expires: now + ttlMs });
    return Promise.resolve();
  }

  override take(id: string): Promise<SessionRecord | undefined> {
    const entry = this.hub.sessions.get(id);
    this.hub.sessions.delete(id);
    return Promise.resolve(entry && entry.expires > this.now() ? entry.record : undefined);
  }
}
