/**
 * Type tests of the client SDK against a contract. Compiled by `npm test` (tsc --noEmit); never
 * run. Each `@ts-expect-error` line proves that the compiler refuses a call the contract forbids.
 */
import type { WebSocket as WsWebSocket } from 'ws';
import {
  RealtimeClient,
  type ClientState,
  type RealtimeClientError,
  type RequestError,
  type StateChange,
  type WebSocketConstructor,
} from '../../src/client/index.js';
import type { DefineContract } from '../../src/protocol/index.js';
import type { Equal, Expect } from './type-assertions.js';

type ChatContract = DefineContract<{
  requests: {
    'chat:send': { payload: { room: string; text: string }; reply: { id: string; at: number } };
    'chat:join': { payload: { room: string }; reply: { members: string[] } };
    'game:new': { payload: undefined; reply: { gameId: string } };
    'game:maybe': { payload: { seed?: number } | undefined; reply: null };
  };
  events: {
    'chat:typing': { room: string };
    'presence:ping': undefined;
  };
  pushes: {
    'chat:message': { room: string; text: string; from: string };
    'presence:online': { users: string[] };
  };
}>;

declare const client: RealtimeClient<ChatContract>;
declare const wsConstructor: typeof WsWebSocket;
declare const domConstructor: typeof globalThis.WebSocket;

export const send = () => client.request('chat:send', { room: 'general', text: 'hi' });
export const join = () => client.request('chat:join', { room: 'general' }, { timeout: 500 });
export const newGame = () => client.request('game:new');
export const maybeGame = () => client.request('game:maybe');
type Reply<F extends () => Promise<unknown>> = Awaited<ReturnType<F>>;
type PushArg<E extends 'chat:message' | 'presence:online'> = Parameters<
  Parameters<typeof client.on<E>>[1]
>[0];

export type ClientLookups = [
  Expect<Equal<Reply<typeof send>, { id: string; at: number }>>,
  Expect<Equal<Reply<typeof join>, { members: string[] }>>,
  Expect<Equal<Reply<typeof newGame>, { gameId: string }>>,
  Expect<Equal<Reply<typeof maybeGame>, null>>,
  Expect<Equal<PushArg<'chat:message'>, { room: string; text: string; from: string }>>,
  Expect<Equal<PushArg<'presence:online'>, { users: string[] }>>,
  Expect<Equal<Parameters<Parameters<typeof client.onState>[0]>[0], StateChange>>,
  Expect<Equal<Parameters<Parameters<typeof client.onError>[0]>[0], RealtimeClientError>>,
  Expect<Equal<typeof client.state, ClientState>>,
];

export async function requests(): Promise<void> {
  const sent = await send();
  await client.request('game:maybe', { seed: 1 }, { timeout: 100 });
  // @ts-expect-error not a request of the contract
  await client.request('chat:sned', { room: 'general', text: 'hi' });
  // @ts-expect-error an event is not a request
  await client.request('chat:typing', { room: 'general' });
  // @ts-expect-error a wrong payload field
  await client.request('chat:send', { room: 'general', txt: 'hi' });
  // @ts-expect-error a payload field of the wrong type
  await client.request('chat:send', { room: 'general', text: 42 });
  // @ts-expect-error the payload is missing
  await client.request('chat:send');
  // @ts-expect-error a bad request option
  await client.request('chat:join', { room: 'general' }, { timeout: '1s' });
  // @ts-expect-error the reply has no `text`
  void sent.text;
  // @ts-expect-error the reply's `at` is a number
  const at: string = sent.at;
  void at;
}

export function events(): void {
  client.emit('chat:typing', { room: 'general' });
  client.emit('presence:ping');
  // @ts-expect-error not an event of the contract
  client.emit('chat:typed', { room: 'general' });
  // @ts-expect-error a request is not an event
  client.emit('chat:send', { room: 'general', text: 'hi' });
  // @ts-expect-error the payload is missing
  client.emit('chat:typing');
  // @ts-expect-error a wrong payload field
  client.emit('chat:typing', { rooms: ['general'] });
}

export function pushes(): void {
  const off: () => void = client.on('chat:message', (message) => message.text.trim());
  off();
  client.on('presence:online', ({ users }) => users.map((u) => u.toUpperCase()));
  // @ts-expect-error not a push of the contract
  client.on('chat:messages', () => undefined);
  // @ts-expect-error the push has no `members`
  client.on('presence:online', (data) => data.members);
}

export function lifecycle(): void {
  client.onState((change) => {
    // Close codes are numbers, client-side causes are strings.
    if (typeof change.code === 'number') void (change.code >= 4000);
    else void change.code.toLowerCase();
  });
  client.onError((error) => void error.code);
}

export async function errors(): Promise<void> {
  try {
    await client.request('chat:send', { room: 'general', text: 'hi' });
  } catch (error) {
    const failure = error as RequestError;
    if (failure.code === 'VALIDATION_FAILED') void failure.details?.map((d) => d.field);
    if (failure.code === 'TIMEOUT' || failure.code === 'NOT_YOUR_TURN') void failure.event;
  }
}

export function construction(): void {
  // ws (Node) and the DOM's WebSocket both fit the injected constructor, without casts.
  const fromWs: WebSocketConstructor = wsConstructor;
  const fromDom: WebSocketConstructor = domConstructor;
  new RealtimeClient<ChatContract>({
    url: 'wss://api.example.com/ws',
    WebSocket: fromWs,
    getToken: async () => 'jwt',
    onReconnect: async (c) => {
      await c.request('chat:join', { room: 'general' });
    },
  });
  new RealtimeClient({ url: '/ws', WebSocket: fromDom, getToken: () => 'jwt' });
  // Without a contract any event and payload go.
  const untyped = new RealtimeClient({ url: '/ws' });
  void untyped.request('anything', { at: 1 }).then((reply: unknown) => reply);
  untyped.emit('whatever');
  // @ts-expect-error url is required
  new RealtimeClient<ChatContract>({ getToken: () => 'jwt' });
  // @ts-expect-error getToken returns a string
  new RealtimeClient<ChatContract>({ url: '/ws', getToken: () => 42 });
  // @ts-expect-error onReconnect gets the typed client
  new RealtimeClient<ChatContract>({ url: '/ws', onReconnect: (c) => c.emit('chat:nope') });
}
