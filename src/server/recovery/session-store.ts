import type { StreamPosition } from '../../protocol/index.js';

/**
 * What a closed connection leaves behind for a client that resumes it: whose it was, its last
 * connection id (pushes that left it out stay left out at the replay), its rooms, and for every
 * stream it followed the position where it started following it (history before that is
 * never replayed to it).
 */
export interface SessionRecord {
  readonly userId: string;
  readonly connectionId: string;
  readonly rooms: readonly string[];
  readonly starts: Readonly<Record<string, StreamPosition>>;
}

/**
 * Where closed sessions wait for their client, for `recovery.windowMs`. An abstract class, so it
 * is both the DI token and the type; in memory by default, in Redis with the Redis broker, so a
 * client may resume on any instance.
 */
export abstract class SessionStore {
  abstract start(): Promise<void>;

  abstract stop(): Promise<void>;

  /** Keeps `record` under `id` for `ttlMs`. */
  abstract save(id: string, record: SessionRecord, ttlMs: number): Promise<void>;

  /**
   * Returns the record and forgets it, atomically: a session is resumed at most once. Undefined
   * for an unknown or expired id.
   */
  abstract take(id: string): Promise<SessionRecord | undefined>;
}

/** @internal The methods a session store must have, checked at boot. */
export const SESSION_STORE_METHODS = [
  'start',
  'stop',
  'save',
  'take',
] as const satisfies readonly (keyof SessionStore)[];

/** Checks a record read back from a store (a foreign or corrupt value is not a session). */
export function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  if (typeof r['userId'] !== 'string' || typeof r['connectionId'] !== 'string') return false;
  if (!Array.isArray(r['rooms']) || !r['rooms'].every((room) => typeof room === 'string')) {
    return false;
  }
  const starts = r['starts'];
  if (typeof starts !== 'object' || starts === null || Array.isArray(starts)) return false;
  return Object.values(starts).every(
    (p: unknown) =>
      typeof p === 'object' &&
      p !== null &&
      typeof (p as StreamPosition).e === 'string' &&
      Number.isSafeInteger((p as StreamPosition).o),
  );
}
