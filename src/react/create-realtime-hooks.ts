import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useSyncExternalStore,
  type ReactElement,
  type ReactNode,
} from 'react';
import type { AnyContract, RealtimeClient, RealtimeContract } from '../client/index.js';
import { connectionStoreOf, type ConnectionStatus } from './connection-store.js';
import type {
  PushData,
  PushName,
  RequestName,
  RequestPayload,
  RequestReply,
} from '../client/index.js';
import { usePushOn } from './use-push.js';
import { useRequestOn, type RequestHandle } from './use-request.js';

/** Props of the `RealtimeProvider` of {@link createRealtimeHooks}. */
export interface RealtimeProviderProps<C extends RealtimeContract> {
  /** The client the app created; the hooks below the provider use it. */
  client: RealtimeClient<C>;
  /**
   * Whether the provider owns the connection: `connect()` when it mounts (or gets another
   * client), `close()` when it unmounts. Without it the app calls `connect()` and `close()`.
   * @default false
   */
  connect?: boolean;
  children?: ReactNode;
}

/** The typed provider and hooks of one contract; see {@link createRealtimeHooks}. */
export interface RealtimeHooks<C extends RealtimeContract> {
  /** Makes `client` available to the hooks below it. */
  RealtimeProvider: (props: RealtimeProviderProps<C>) => ReactElement;
  /** The provider's client, for `emit`, `onError` and imperative requests. */
  useRealtimeClient: () => RealtimeClient<C>;
  /** The client's state and its last change (`code`, `reason`); re-renders at every change. */
  useConnectionState: () => ConnectionStatus;
  /**
   * Calls `handler` with every `event` push while the component is mounted. The latest
   * `handler` is always the one called, so it needs no deps and a re-render never resubscribes;
   * a change of `event` (or of the provider's client) does.
   */
  usePush: <E extends PushName<C>>(event: E, handler: (data: PushData<C, E>) => void) => void;
  /** `send` for one request of the contract, and its latest call's `data`, `error`, `pending`. */
  useRequest: <E extends RequestName<C>>(
    event: E,
  ) => RequestHandle<RequestPayload<C, E>, RequestReply<C, E>>;
}

/**
 * Creates a provider and hooks typed by the contract `C`. Call it once per contract, at module
 * level, and use the hooks below that call's `RealtimeProvider` (a hook anywhere else throws).
 *
 * ```ts
 * export const { RealtimeProvider, useConnectionState, usePush, useRequest } =
 *   createRealtimeHooks<ChatContract>();
 * ```
 */
export function createRealtimeHooks<C extends RealtimeContract = AnyContract>(): RealtimeHooks<C> {
  const ClientContext = createContext<RealtimeClient<C> | null>(null);
  ClientContext.displayName = 'RealtimeClient';

  function useClient(hook: string): RealtimeClient<C> {
    const client = useContext(ClientContext);
    if (client) return client;
    throw new Error(
      `${hook}() must be used below a <RealtimeProvider client={...}>, the one returned by the ` +
        'same createRealtimeHooks() call as the hook',
    );
  }

  function RealtimeProvider({
    client,
    connect = false,
    children,
  }: RealtimeProviderProps<C>): ReactElement {
    // Follow the client's state changes from its first render on.
    connectionStoreOf(client);
    useEffect(() => {
      if (!connect) return;
      void client.connect(); // a failed connect shows as state `closed` with its code
      return () => void client.close();
    }, [client, connect]);
    return createElement(ClientContext.Provider, { value: client }, children);
  }

  return {
    RealtimeProvider,
    useRealtimeClient: () => useClient('useRealtimeClient'),
    useConnectionState: () => {
      const store = connectionStoreOf(useClient('useConnectionState'));
      return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
    },
    usePush: (event, handler) => {
      const client = useClient('usePush') as RealtimeClient<AnyContract>;
      usePushOn(client, event, handler as (data: unknown) => void);
    },
    useRequest: (event) =>
      useRequestOn(useClient('useRequest') as RealtimeClient<AnyContract>, event),
  };
}
