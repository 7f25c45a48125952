import { positiveInt, RealtimeConfigError } from '../realtime.config-error.js';
import type { HistoryRule } from './stream-log.js';

/** History of the streams a rule matches. */
export interface RecoveryStreamRule {
  /**
   * A stream name (`room:chat:general`, `user:alice`, `all`) or a prefix ending in `*`
   * (`room:chat:*`, `user:*`, `*`). The first rule that matches a stream applies.
   */
  match: string;
  /** Pushes kept per stream: a client that missed more is told `history_gap`. */
  size?: number;
  /**
   * Age after which a kept push is dropped, in ms, each push on its own (in-process and on
   * Redis, by Redis's clock there): a client that missed an aged-out push is told `history_gap`.
   */
  ttlMs?: number;
  /**
   * `false`: pushes to these streams are at most once (typing indicators): never positioned nor
   * replayed, and left out of a resume's verdict. Their rooms are still restored. @default true
   */
  recover?: boolean;
  /**
   * A latest-value stream (prices, game state): only the newest push per key is kept (`size`
   * keys at most), a client resuming after any gap gets the newest of each key, and a slow
   * consumer gets the newest instead of the backlog (no 4408). Key: `emit(..., { key })`, by
   * default the event name. @default false
   */
  conflate?: boolean;
}

/**
 * Missed-message recovery: pushes to rooms, users and everyone carry a position in their stream
 * and are kept for a while, and a client that reconnects within `windowMs` gets its rooms back
 * and every push it missed, in order, exactly once (or is told `recovered: false`).
 */
export interface RealtimeRecoveryOptions {
  /** How long a closed session may be resumed, in ms. @default 120000 */
  windowMs?: number;
  /** History of a stream no rule matches. @default { size: 100, ttlMs: windowMs } */
  history?: { size?: number; ttlMs?: number };
  /** History per stream pattern, first match wins (e.g. `{ match: 'room:chat:*', size: 1000 }`). */
  streams?: RecoveryStreamRule[];
  /**
   * How long a connection that named a session at the upgrade may take to send `$resume`;
   * pushes to it are held meanwhile. @default 10000
   */
  resumeTimeoutMs?: number;
}

/** Recovery after defaults, as the server uses it. */
export interface ResolvedRecovery {
  readonly windowMs: number;
  readonly resumeTimeoutMs: number;
  /** The history rule of a stream; undefined for a stream that is not recovered. */
  ruleOf(stream: string): HistoryRule | undefined;
}

export const RECOVERY_DEFAULTS = {
  windowMs: 120_000,
  historySize: 100,
  resumeTimeoutMs: 10_000,
} as const;

interface CompiledRule {
  readonly match: string;
  readonly prefix: boolean;
  readonly rule: HistoryRule | undefined;
}

function compile(rule: RecoveryStreamRule, index: number, fallback: HistoryRule): CompiledRule {
  const name = `recovery.streams[${index}]`;
  if (typeof rule?.match !== 'string' || rule.match.length === 0) {
    throw new RealtimeConfigError(`"${name}.match" must be a stream name or a prefix ending in *.`);
  }
  const star = rule.match.indexOf('*');
  if (star >= 0 && star !== rule.match.length - 1) {
    throw new RealtimeConfigError(`"${name}.match": '*' may only end the pattern.`);
  }
  for (const flag of ['recover', 'conflate'] as const) {
    if (rule[flag] !== undefined && typeof rule[flag] !== 'boolean') {
      throw new RealtimeConfigError(`"${name}.${flag}" must be true or false.`);
    }
  }
  const prefix = star >= 0;
  const match = prefix ? rule.match.slice(0, -1) : rule.match;
  if (rule.recover === false) return { match, prefix, rule: undefined };
  const size = positiveInt(`${name}.size`, rule.size, fallback.size, 0);
  const ttlMs = positiveInt(`${name}.ttlMs`, rule.ttlMs, fallback.ttlMs);
  return { match, prefix, rule: { size, ttlMs, ...(rule.conflate ? { conflate: true } : {}) } };
}

/** Applies defaults and checks `recovery`; undefined when it is off. */
export function resolveRecovery(
  options: RealtimeRecoveryOptions | undefined,
): ResolvedRecovery | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') {
    throw new RealtimeConfigError('"recovery" must be an object, e.g. recovery: {}.');
  }
  const windowMs = positiveInt('recovery.windowMs', options.windowMs, RECOVERY_DEFAULTS.windowMs);
  const resumeTimeoutMs = positiveInt(
    'recovery.resumeTimeoutMs',
    options.resumeTimeoutMs,
    RECOVERY_DEFAULTS.resumeTimeoutMs,
  );
  const fallback: HistoryRule = {
    size: positiveInt(
      'recovery.history.size',
      options.history?.size,
      RECOVERY_DEFAULTS.historySize,
      0,
    ),
    ttlMs: positiveInt('recovery.history.ttlMs', options.history?.ttlMs, windowMs),
  };
  if (options.streams !== undefined && !Array.isArray(options.streams)) {
    throw new RealtimeConfigError('"recovery.streams" must be an array of { match, ... } rules.');
  }
  const rules = (options.streams ?? []).map((rule, i) => compile(rule, i, fallback));
  const cache = new Map<string, HistoryRule | undefined>();
  const ruleOf = (stream: string): HistoryRule | undefined => {
    if (cache.has(stream)) return cache.get(stream);
    const found = rules.find((r) => (r.prefix ? stream.startsWith(r.match) : stream === r.match));
    const rule = found ? found.rule : fallback;
    // Room names come from the app; the cache stays small whatever they are.
    if (cache.size >= 10_000) cache.clear();
    cache.set(stream, rule);
    return rule;
  };
  return { windowMs, resumeTimeoutMs, ruleOf };
}
