import type { AnyContract, ClientState, RealtimeClient, StateChangeCode } from '../client/index.js';

/**
 * The client's state and the last change the bindings saw: `previous`, `code` and `reason` are
 * `undefined` until the first change after the client was first given to a provider.
 */
export interface ConnectionStatus {
  state: ClientState;
  previous: ClientState | undefined;
  /** A WebSocket close code (number) or a client-side cause (`CONNECTED`, `PING_TIMEOUT`...). */
  code: StateChangeCode | undefined;
  reason: string | undefined;
}

type Followed = Pick<RealtimeClient<AnyContract>, 'state' | 'onState'>;

/**
 * One client's {@link ConnectionStatus} for `useSyncExternalStore`: an immutable snapshot,
 * replaced at every state change, and the React listeners to tell.
 */
export class ConnectionStore {
  private status: ConnectionStatus;
  private readonly listeners = new Set<() => void>();

  constructor(client: Followed) {
    this.status = { state: client.state, previous: undefined, code: undefined, reason: undefined };
    // For the client's lifetime: the store lives exactly as long (see connectionStoreOf).
    client.onState(({ state, previous, code, reason }) => {
      this.status = { state, previous, code, reason };
      for (const listener of [...this.listeners]) listener();
    });
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  readonly getSnapshot = (): ConnectionStatus => this.status;
}

// The client has no getter for its last change, so the store follows it from the first render
// that uses it, for as long as the client lives: created once per client (an idempotent cache,
// safe to fill during render), collected with it.
const stores = new WeakMap<Followed, ConnectionStore>();

/** The store of a client, created on first use. */
export function connectionStoreOf(client: Followed): ConnectionStore {
  let store = stores.get(client);
  if (!store) stores.set(client, (store = new ConnectionStore(client)));
  return store;
}
