import type { RoomMember } from '../delivery.js';
import type { InProcessStreamLog } from '../../recovery/in-process.stream-log.js';
import type { SessionRecord } from '../../recovery/session-store.js';
import { StreamHistory } from '../../recovery/stream-history.js';
import type { InProcessBus } from './in-process.bus.js';

/** @internal One instance's entries in an in-process presence store. */
export interface InstancePresence {
  /** room -> connection id -> member */
  readonly rooms: Map<string, Map<string, RoomMember>>;
  /** user id -> connection ids */
  readonly users: Map<string, Set<string>>;
}

/**
 * What the in-process buses and presence stores of one process share: the backend of the
 * default single-instance broker (each `InProcessBroker` has its own hub, so nothing crosses),
 * or of several instances in one process when they are given the same hub.
 */
export class InProcessHub {
  /** @internal The started buses. */
  readonly buses = new Set<InProcessBus>();
  /** @internal Presence entries, by instance. */
  readonly presence = new Map<symbol, InstancePresence>();
  /** @internal The started stream logs. */
  readonly logs = new Set<InProcessStreamLog>();
  /** @internal The history they share. */
  readonly history = new StreamHistory();
  /** @internal Closed sessions waiting to be resumed, with their expiry time. */
  readonly sessions = new Map<string, { record: SessionRecord; expires: number }>();

  /** Forgets every presence entry, history and session, as a backend that restarted empty would. */
  clear(): void {
    this.presence.clear();
    this.history.clear();
    this.sessions.clear();
  }
}
