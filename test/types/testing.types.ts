/**
 * Type tests of the test kit against a contract. Compiled by `npm test` (tsc --noEmit); never
 * run. Each `@ts-expect-error` line proves that the compiler refuses what the contract forbids.
 */
import type { DefineContract } from '../../src/protocol/index.js';
import {
  createTestClient,
  type TestClient,
  type TimedStateChange,
} from '../../src/testing/index.js';
import type { Equal, Expect } from './type-assertions.js';

type ChatContract = DefineContract<{
  requests: {
    'chat:send': { payload: { room: string; text: string }; reply: { id: string } };
  };
  events: { 'chat:typing': { room: string } };
  pushes: {
    'chat:message': { room: string; text: string };
    'presence:online': { users: string[] };
  };
}>;

declare const client: TestClient<ChatContract>;

export const message = () => client.expectPush('chat:message');
export const online = () =>
  client.expectPush('presence:online', { where: (p) => p.users.length > 0, timeout: 100 });
export const reopened = () => client.expectState('open');
export const created = () => createTestClient<ChatContract>('ws://localhost/ws', { token: 't' });

export type KitLookups = [
  Expect<Equal<Awaited<ReturnType<typeof message>>, { room: string; text: string }>>,
  Expect<Equal<Awaited<ReturnType<typeof online>>, { users: string[] }>>,
  Expect<Equal<Awaited<ReturnType<typeof reopened>>, TimedStateChange>>,
  Expect<Equal<Awaited<ReturnType<typeof created>>, TestClient<ChatContract>>>,
  Expect<Equal<Awaited<ReturnType<typeof client.request<'chat:send'>>>, { id: string }>>,
];

export function refused(): void {
  // @ts-expect-error not a push of the contract
  void client.expectPush('chat:send');
  // @ts-expect-error `where` gets the push's data
  void client.expectPush('chat:message', { where: (p) => p.users.length > 0 });
  // @ts-expect-error not a state
  void client.expectState('opened');
  void createTestClient<ChatContract>('ws://x/ws', {
    // @ts-expect-error onReconnect gets the test client, typed by the contract
    onReconnect: (c) => c.emit('chat:nope', { room: 'x' }),
  });
}
