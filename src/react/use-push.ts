import { useEffect, useLayoutEffect, useRef } from 'react';
import type { AnyContract, RealtimeClient } from '../client/index.js';

// A layout effect updates the handler before any push can reach it after a render; on the
// server (no `window`) effects do not run, and useLayoutEffect would warn in React 18.
const useBeforePaint = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/** The implementation of `usePush` for one client (typed by `createRealtimeHooks`). */
export function usePushOn(
  client: RealtimeClient<AnyContract>,
  event: string,
  handler: (data: unknown) => void,
): void {
  const latest = useRef(handler);
  useBeforePaint(() => {
    latest.current = handler;
  });
  // Keyed by the client and the event only: a new handler on every render does not resubscribe.
  useEffect(() => client.on(event, (data) => latest.current(data)), [client, event]);
}
