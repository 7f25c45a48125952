import type { RealtimeRecoveryOptions } from '../../server/index.js';
import type { DemoConfig } from './demo-config.js';

/**
 * The demo's missed-message recovery (docs/protocol.md section 8), or undefined when
 * `RECOVERY_WINDOW_MS=0` turns it off. First matching rule wins:
 *
 * - chat rooms (registry rooms `chat:<room>`, so streams `room:chat:<room>`): `CHAT_HISTORY`
 *   pushes each (messages, joins and leaves). `chat:typing` is sent volatile: never positioned
 *   nor replayed, at most once whatever the rule.
 * - ticker rooms (`ticker:<SYMBOL>`): latest-value streams. Only a symbol's newest tick is kept:
 *   a client resuming after any gap gets the current price at once, and a slow reader gets the
 *   newest price when its socket drains instead of the backlog (nor a 4408).
 * - everything else (the `user:<sub>` streams of direct messages, `all`): the defaults.
 *
 * Game pushes go to single connections: they are never positioned.
 */
export function demoRecovery(config: DemoConfig): RealtimeRecoveryOptions | undefined {
  if (config.recoveryWindowMs === 0) return undefined;
  return {
    windowMs: config.recoveryWindowMs,
    streams: [
      { match: 'room:chat:*', size: config.chatHistory },
      { match: 'room:ticker:*', conflate: true, size: 1 },
    ],
  };
}
