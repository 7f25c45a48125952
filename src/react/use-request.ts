import { useCallback, useEffect, useRef, useState } from 'react';
import type { AnyContract, RealtimeClient, RequestError, RequestOptions } from '../client/index.js';
import type { PayloadArgs } from '../client/index.js';

/** What `useRequest(event)` returns: `send` and the state of the latest call. */
export interface RequestHandle<P, R> {
  /**
   * Sends the request (`client.request(event, payload, options)`) and returns its promise, which
   * rejects with the {@link RequestError}. Ignoring the promise is safe: the hook handles it and
   * renders the outcome. A call made while another is pending supersedes it: the older one's
   * result is not rendered, and neither is any result after unmount.
   */
  send: (...args: PayloadArgs<P, [options?: RequestOptions]>) => Promise<R>;
  /** The reply of the latest call, once it succeeded. */
  data: R | undefined;
  /** The error of the latest call, once it failed: switch on `code`. */
  error: RequestError | undefined;
  /** Whether the latest call is waiting for its reply. */
  pending: boolean;
  /** Back to no call: forgets the data and the error, and ignores a pending call's result. */
  reset: () => void;
}

interface CallState<R> {
  data: R | undefined;
  error: RequestError | undefined;
  pending: boolean;
}

const IDLE: CallState<never> = { data: undefined, error: undefined, pending: false };
const PENDING: CallState<never> = { data: undefined, error: undefined, pending: true };

type UntypedRequest = (event: string, ...args: unknown[]) => Promise<unknown>;

/** The implementation of `useRequest` for one client (typed by `createRealtimeHooks`). */
export function useRequestOn<P, R>(
  client: RealtimeClient<AnyContract>,
  event: string,
): RequestHandle<P, R> {
  const [state, setState] = useState<CallState<R>>(IDLE);
  const latest = useRef(0);
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => void (mounted.current = false);
  }, []);

  const send = useCallback(
    (...args: unknown[]): Promise<R> => {
      const call = ++latest.current;
      const current = (): boolean => mounted.current && call === latest.current;
      setState(PENDING);
      const request = client.request.bind(client) as UntypedRequest;
      const promise = request(event, ...args) as Promise<R>;
      promise.then(
        (data) => {
          if (current()) setState({ data, error: undefined, pending: false });
        },
        (error: RequestError) => {
          if (current()) setState({ data: undefined, error, pending: false });
        },
      );
      return promise;
    },
    [client, event],
  );

  const reset = useCallback(() => {
    latest.current++;
    setState(IDLE);
  }, []);

  return { ...state, send: send as RequestHandle<P, R>['send'], reset };
}
