import {
  isObject,
  RESUME_LIMITS,
  type ResumeRequest,
  type StreamPosition,
} from '../../protocol/index.js';

/** A stream a session may follow: a room, its user, or everyone. */
const STREAM = /^(?:room:.+|user:.+|all)$/s;

function positionOf(value: unknown): StreamPosition | undefined {
  if (!isObject(value)) return undefined;
  const { e, o } = value;
  if (typeof e !== 'string' || !RESUME_LIMITS.epoch.test(e)) return undefined;
  if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) return undefined;
  return { e, o };
}

/**
 * Validates the data of a `$resume` (docs/recovery-design.md, section 3): an object with an
 * optional session id and at most `maxStreams` positions, each for a well-formed stream name.
 * `undefined` for anything else, which the server answers `invalid` with a fresh session: a
 * malformed request fails closed, and nothing in it is used.
 */
export function parseResumeRequest(data: unknown, maxStreams: number): ResumeRequest | undefined {
  if (!isObject(data)) return undefined;
  const { session, streams = {} } = data;
  if (session !== undefined) {
    if (typeof session !== 'string' || !RESUME_LIMITS.sessionId.test(session)) return undefined;
  }
  if (!isObject(streams)) return undefined;
  const names = Object.keys(streams);
  if (names.length > maxStreams) return undefined;
  const out: Record<string, StreamPosition> = Object.create(null) as Record<string, StreamPosition>;
  for (const name of names) {
    if (name.length > RESUME_LIMITS.streamNameLength || !STREAM.test(name)) return undefined;
    const position = positionOf(streams[name]);
    if (!position) return undefined;
    out[name] = position;
  }
  return session === undefined ? { streams: out } : { session, streams: out };
}
