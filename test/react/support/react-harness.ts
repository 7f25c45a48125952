import { jest } from '@jest/globals';
import { cleanup, configure, screen } from '@testing-library/react';
import { WebSocket } from 'ws';
import { RealtimeClient, type RealtimeClientOptions } from '../../../src/client/index.js';
import type { DemoContract } from '../../../src/demo/contract.js';
import { createRealtimeHooks } from '../../../src/react/index.js';
import type { RunningRealtimeApp } from '../../../src/testing/index.js';
import { BACKOFF, tokenFor } from '../../support/client-harness.js';

/**
 * Shared setup of the React bindings' suites against the demo (test/react/*.spec.ts): the hooks
 * typed by the demo's contract, and real clients on `ws` that are closed after each test, once
 * Testing Library has unmounted what the test rendered.
 *
 * Updates that come from the sockets are rendered as in a browser, on React's own schedule:
 * the tests wait for the DOM (findBy, waitFor), and wrap in act() only what they do themselves
 * (Testing Library's render and events do it for them). Any console.error (a React warning, an
 * error boundary's log) fails the test.
 */

export const demoHooks = createRealtimeHooks<DemoContract>();

const clients: RealtimeClient<DemoContract>[] = [];

/** Registers the setup and the teardown of each test: unmount, then close every client. */
export function installReactHarness(): void {
  let consoleErrors: unknown[][] = [];
  beforeAll(() => {
    // After Testing Library's own beforeAll, which sets it to true.
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;
    // findBy/waitFor give up after this long (1 s by default): a bound for busy CI machines,
    // where the server shares the CPU with the other suites, not a speed the tests assert.
    configure({ asyncUtilTimeout: 5000 });
  });
  beforeEach(() => {
    consoleErrors = [];
    jest.spyOn(console, 'error').mockImplementation((...args) => void consoleErrors.push(args));
  });
  afterEach(async () => {
    cleanup();
    await Promise.all(clients.splice(0).map((client) => client.close()));
    jest.restoreAllMocks();
    expect(consoleErrors).toEqual([]);
  });
}

/**
 * A client of `sub` on the demo, not connected. It gets `ws`'s constructor: jsdom's own
 * WebSocket works too, but sends `Origin: http://localhost`, which the demo refuses.
 */
export function demoClient(
  server: RunningRealtimeApp,
  sub: string,
  options: Partial<RealtimeClientOptions<DemoContract>> = {},
): RealtimeClient<DemoContract> {
  const client = new RealtimeClient<DemoContract>({
    url: server.wsUrl('/ws'),
    WebSocket,
    getToken: () => tokenFor(sub),
    backoff: BACKOFF,
    pingIntervalMs: 0,
    ...options,
  });
  clients.push(client);
  return client;
}

/** The next `event` push the client delivers to its listeners (the listener is removed then). */
export function nextPush<E extends keyof DemoContract['pushes']>(
  client: RealtimeClient<DemoContract>,
  event: E,
): Promise<DemoContract['pushes'][E]> {
  return new Promise((resolve) => {
    const off = client.on(event, (data) => {
      off();
      resolve(data);
    });
  });
}

/** The text of the element labelled `label`. */
export function textOf(label: string): string | null {
  return screen.getByLabelText(label).textContent;
}
