/** @jest-environment jsdom */
import { jest } from '@jest/globals';
import { render } from '@testing-library/react';
import { createElement, type FunctionComponent } from 'react';
import { RealtimeClient } from '../../src/client/index.js';
import type { DemoContract } from '../../src/demo/contract.js';
import { createRealtimeHooks } from '../../src/react/index.js';

/**
 * A hook used outside its provider fails at once, with a message that names the hook and says
 * where it belongs (plain jsdom: no server, no socket is ever opened).
 */

const hooks = createRealtimeHooks<DemoContract>();
const other = createRealtimeHooks<DemoContract>();

/** A component that only calls `hook`. */
const calling =
  (hook: () => unknown): FunctionComponent =>
  () => {
    hook();
    return null;
  };

const uses: Record<string, FunctionComponent> = {
  useRealtimeClient: calling(() => hooks.useRealtimeClient()),
  useConnectionState: calling(() => hooks.useConnectionState()),
  usePush: calling(() => hooks.usePush('chat:message', () => undefined)),
  useRequest: calling(() => hooks.useRequest('chat:join')),
};

describe('a hook outside its provider', () => {
  beforeEach(() => {
    // React and jsdom report the render error on the console too; the throw is what is checked.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each(Object.keys(uses))('%s() throws, naming the hook and the provider', (name) => {
    expect(() => render(createElement(uses[name]!))).toThrow(
      `${name}() must be used below a <RealtimeProvider client={...}>, the one returned by the ` +
        'same createRealtimeHooks() call as the hook',
    );
  });

  it('the provider of another createRealtimeHooks() call does not count', () => {
    const client = new RealtimeClient<DemoContract>({ url: 'ws://server.test/ws' });
    const tree = createElement(
      other.RealtimeProvider,
      { client },
      createElement(uses['useConnectionState']!),
    );
    expect(() => render(tree)).toThrow(/^useConnectionState\(\) must be used below/);
    expect(client.state).toBe('closed');
  });
});
