/**
 * The event contract of one gateway path: the single source of truth that the server's
 * gateways and the client SDK are both checked against by the compiler.
 *
 * ```ts
 * export type ChatContract = DefineContract<{
 *   requests: { 'chat:send': { payload: { room: string; text: string }; reply: { id: string } } };
 *   events: { 'chat:typing': { room: string } };
 *   pushes: { 'chat:message': { room: string; text: string } };
 * }>;
 * ```
 */
export interface RealtimeContract {
  /** Client to server with an `id`: the payload and the `data` of the reply. */
  requests: Record<string, { payload: unknown; reply: unknown }>;
  /** Client to server without an `id` (fire-and-forget): the payload. */
  events: Record<string, unknown>;
  /** Server to client pushes: the `data`. */
  pushes: Record<string, unknown>;
}

/** Checks a contract's shape and returns it unchanged. */
export type DefineContract<C extends RealtimeContract> = C;

/** A contract that allows any event with any payload (the default when none is given). */
export interface AnyContract extends RealtimeContract {
  requests: Record<string, { payload: unknown; reply: unknown }>;
  events: Record<string, unknown>;
  pushes: Record<string, unknown>;
}

/**
 * The string keys of `K`, as a distributive conditional type: a wrong event name is then reported
 * against the list of valid names (`"chat:join" | "chat:send" | ...`) instead of the whole
 * contract type.
 */
export type StringKeys<K> = K extends string ? K : never;

export type RequestName<C extends RealtimeContract> = StringKeys<keyof C['requests']>;
export type RequestPayload<
  C extends RealtimeContract,
  E extends RequestName<C>,
> = C['requests'][E]['payload'];
export type RequestReply<
  C extends RealtimeContract,
  E extends RequestName<C>,
> = C['requests'][E]['reply'];

export type EventName<C extends RealtimeContract> = StringKeys<keyof C['events']>;
export type EventPayload<C extends RealtimeContract, E extends EventName<C>> = C['events'][E];

export type PushName<C extends RealtimeContract> = StringKeys<keyof C['pushes']>;
export type PushData<C extends RealtimeContract, E extends PushName<C>> = C['pushes'][E];

/**
 * The payload argument of a call: optional when the payload type accepts `undefined`
 * (e.g. `request('game:join')`), required otherwise.
 */
export type PayloadArgs<P, Rest extends unknown[] = []> = undefined extends P
  ? [payload?: P, ...rest: Rest]
  : [payload: P, ...rest: Rest];
