/** @jest-environment ./test/react/support/jsdom-server-environment.mjs */
import { act, fireEvent, render, screen, waitFor, type RenderResult } from '@testing-library/react';
import { createElement } from 'react';
import { RealtimeClient } from '../../src/client/index.js';
import type { DemoContract, RoomJoinReply } from '../../src/demo/contract.js';
import { fakeWebSockets, type FakeWebSocket } from '../client/fake-web-socket.js';
import { demoHooks, installReactHarness, textOf } from './support/react-harness.js';

/**
 * Which call useRequest renders, on a client whose socket the test drives (no server: the
 * order of the replies is the point): only the latest call's outcome, none after `reset()`,
 * none after unmount, while every caller still gets its own promise settled.
 */

const { RealtimeProvider, useRequest } = demoHooks;

const calls: Promise<RoomJoinReply>[] = [];

function Join() {
  const { send, data, error, pending, reset } = useRequest('chat:join');
  const text = pending ? 'pending' : (data?.room ?? error?.code ?? 'idle');
  const join = (room: string) => () => void calls.push(send({ room }));
  return createElement(
    'div',
    null,
    createElement('button', { onClick: join('a') }, 'join a'),
    createElement('button', { onClick: join('b') }, 'join b'),
    createElement('button', { onClick: reset }, 'reset'),
    createElement('output', { 'aria-label': 'join' }, text),
  );
}

const reply = (room: string) => ({ data: { room, members: [] } });

installReactHarness();

describe('useRequest: which call is rendered', () => {
  let client: RealtimeClient<DemoContract>;
  let socket: FakeWebSocket;
  let view: RenderResult;

  /** The reply (or error) to the request with this id, and its caller's promise settled. */
  async function answer(id: number, body: object): Promise<void> {
    await act(async () => {
      socket.receive({ id, ...body });
      await calls[id - 1]!.catch(() => undefined);
    });
  }

  beforeEach(async () => {
    calls.length = 0;
    const net = fakeWebSockets();
    client = new RealtimeClient<DemoContract>({
      url: 'ws://server.test/ws',
      WebSocket: net.WebSocket,
      pingIntervalMs: 0,
      recovery: false, // no server to answer $resume: the order of replies is the point
    });
    const connected = client.connect();
    await waitFor(() => expect(net.sockets).toHaveLength(1));
    socket = net.last();
    socket.open();
    await connected;
    view = render(createElement(RealtimeProvider, { client }, createElement(Join)));
  });
  afterEach(async () => {
    const closed = client.close();
    socket.serverClose(1000); // the fake peer answers the close
    await closed;
  });

  it('ignores the outcome of a superseded call, success or error', async () => {
    fireEvent.click(screen.getByText('join a'));
    fireEvent.click(screen.getByText('join b'));
    expect(socket.frames.map((f) => [f.id, f.data])).toEqual([
      [1, { room: 'a' }],
      [2, { room: 'b' }],
    ]);

    await answer(1, reply('a'));
    expect(textOf('join')).toBe('pending');
    await answer(2, reply('b'));
    expect(textOf('join')).toBe('b');

    fireEvent.click(screen.getByText('join a'));
    fireEvent.click(screen.getByText('join b'));
    await answer(3, { error: { code: 'FORBIDDEN', message: 'No' } });
    expect(textOf('join')).toBe('pending');
    await answer(4, { error: { code: 'ROOM_FULL', message: 'Full' } });
    expect(textOf('join')).toBe('ROOM_FULL');
    await expect(calls[0]).resolves.toEqual(reply('a').data);
    await expect(calls[2]).rejects.toMatchObject({ code: 'FORBIDDEN', fromServer: true });
  });

  it('reset() forgets the outcome and ignores the pending call', async () => {
    fireEvent.click(screen.getByText('join a'));
    await answer(1, reply('a'));
    expect(textOf('join')).toBe('a');

    fireEvent.click(screen.getByText('join b'));
    fireEvent.click(screen.getByText('reset'));
    expect(textOf('join')).toBe('idle');
    await answer(2, reply('b'));
    expect(textOf('join')).toBe('idle');
    await expect(calls[1]).resolves.toEqual(reply('b').data);
  });

  it('after unmount: no update and no warning, and the caller still gets the reply', async () => {
    fireEvent.click(screen.getByText('join a'));
    expect(textOf('join')).toBe('pending');

    view.unmount();
    await answer(1, reply('a'));
    await expect(calls[0]).resolves.toEqual(reply('a').data);
  });
});
