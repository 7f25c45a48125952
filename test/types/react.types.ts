/**
 * Type tests of the React bindings against a contract. Compiled by `npm test` (tsc --noEmit);
 * never run. Each `@ts-expect-error` line proves that the compiler refuses a call the contract
 * forbids; the lookups prove the hooks' types are the client's.
 */
import { createElement, type ReactElement } from 'react';
import type {
  ClientState,
  RealtimeClient,
  RequestError,
  StateChangeCode,
} from '../../src/client/index.js';
import type { DefineContract } from '../../src/protocol/index.js';
import {
  createRealtimeHooks,
  type ConnectionStatus,
  type RealtimeHooks,
  type RequestHandle,
} from '../../src/react/index.js';
import type { Equal, Expect } from './type-assertions.js';

type ChatContract = DefineContract<{
  requests: {
    'chat:send': { payload: { room: string; text: string }; reply: { id: string; at: number } };
    'game:new': { payload: undefined; reply: { gameId: string } };
  };
  events: { 'chat:typing': { room: string } };
  pushes: {
    'chat:message': { room: string; text: string; from: string };
    'presence:online': { users: string[] };
  };
}>;

const hooks = createRealtimeHooks<ChatContract>();
const { RealtimeProvider, useRealtimeClient, useConnectionState, usePush, useRequest } = hooks;
declare const client: RealtimeClient<ChatContract>;
declare const otherClient: RealtimeClient<
  DefineContract<{
    requests: Record<string, never>;
    events: Record<string, never>;
    pushes: { other: number };
  }>
>;

type ClientReply<E extends 'chat:send' | 'game:new'> = Awaited<
  ReturnType<typeof client.request<E>>
>;
/** The arguments after the event name. */
type AfterEvent<F extends (...args: never[]) => unknown> =
  Parameters<F> extends [unknown, ...infer Rest] ? Rest : never;
type Sent = ReturnType<typeof useRequest<'chat:send'>>;
type NewGame = ReturnType<typeof useRequest<'game:new'>>;

export type ReactLookups = [
  Expect<Equal<typeof hooks, RealtimeHooks<ChatContract>>>,
  Expect<Equal<ReturnType<typeof useRealtimeClient>, RealtimeClient<ChatContract>>>,
  Expect<Equal<ReturnType<typeof useConnectionState>['state'], ClientState>>,
  Expect<Equal<ReturnType<typeof useConnectionState>['code'], StateChangeCode | undefined>>,
  Expect<Equal<ReturnType<typeof useConnectionState>, ConnectionStatus>>,
  Expect<Equal<Sent['data'], ClientReply<'chat:send'> | undefined>>,
  Expect<Equal<Awaited<ReturnType<Sent['send']>>, ClientReply<'chat:send'>>>,
  Expect<Equal<Parameters<Sent['send']>, AfterEvent<typeof client.request<'chat:send'>>>>,
  Expect<Equal<Parameters<NewGame['send']>, AfterEvent<typeof client.request<'game:new'>>>>,
  Expect<Equal<NewGame['data'], { gameId: string } | undefined>>,
  Expect<Equal<Sent['error'], RequestError | undefined>>,
  Expect<Equal<Sent['pending'], boolean>>,
  Expect<Equal<Sent, RequestHandle<{ room: string; text: string }, { id: string; at: number }>>>,
];

export function pushes(): void {
  usePush('chat:message', (message) => message.text.trim());
  usePush('presence:online', ({ users }) => users.map((u) => u.toUpperCase()));
  // @ts-expect-error not a push of the contract
  usePush('chat:messages', () => undefined);
  // @ts-expect-error a request is not a push
  usePush('chat:send', () => undefined);
  // @ts-expect-error the push has no `members`
  usePush('presence:online', (data) => data.members);
  // @ts-expect-error the handler is required
  usePush('chat:message');
}

export async function requests(): Promise<void> {
  const { send, data } = useRequest('chat:send');
  const reply = await send({ room: 'general', text: 'hi' }, { timeout: 500 });
  void reply.id.toUpperCase();
  void data?.at.toFixed();
  await useRequest('game:new').send();
  // @ts-expect-error not a request of the contract
  useRequest('chat:sned');
  // @ts-expect-error an event is not a request
  useRequest('chat:typing');
  // @ts-expect-error a wrong payload field
  await send({ room: 'general', txt: 'hi' });
  // @ts-expect-error a payload field of the wrong type
  await send({ room: 'general', text: 42 });
  // @ts-expect-error the payload is missing
  await send();
  // @ts-expect-error a bad request option
  await send({ room: 'general', text: 'hi' }, { timeout: '1s' });
  // @ts-expect-error the reply has no `text`
  void reply.text;
  // @ts-expect-error the data may be undefined (no call succeeded yet)
  void data.id;
}

export function provider(child: ReactElement): void {
  createElement(RealtimeProvider, { client }, child);
  createElement(RealtimeProvider, { client, connect: true }, child);
  // @ts-expect-error the client is required
  createElement(RealtimeProvider, {}, child);
  // @ts-expect-error a client of another contract
  createElement(RealtimeProvider, { client: otherClient }, child);
  // @ts-expect-error `connect` is a boolean
  createElement(RealtimeProvider, { client, connect: 'yes' }, child);
}

export function state(): void {
  const { state: current, code, reason } = useConnectionState();
  if (current === 'reconnecting' && typeof code === 'number') void (code >= 4000);
  void reason?.trim();
  // @ts-expect-error not a state of the client
  if (current === 'disconnected') void 0;
  useRealtimeClient().emit('chat:typing', { room: 'general' });
  // @ts-expect-error the client is typed by the contract
  useRealtimeClient().emit('chat:typed', { room: 'general' });
}

export function untyped(): void {
  // Without a contract any event and payload go, as with the client.
  const any = createRealtimeHooks();
  any.usePush('anything', (data: unknown) => data);
  void any.useRequest('whatever').send({ at: 1 });
}
