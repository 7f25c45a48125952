import type { RealtimeContract } from '../client/index.js';

// The lookups of `src/protocol/contract.ts`, which the client's barrel does not export (the
// bindings import the SDK through that barrel only). `test/types/react.types.ts` checks that the
// hooks' types stay equal to the client's.

/** A request name of the contract. */
export type RequestName<C extends RealtimeContract> = keyof C['requests'] & string;
/** The payload of a request. */
export type RequestPayload<
  C extends RealtimeContract,
  E extends RequestName<C>,
> = C['requests'][E]['payload'];
/** The `data` of a request's reply. */
export type RequestReply<
  C extends RealtimeContract,
  E extends RequestName<C>,
> = C['requests'][E]['reply'];

/** A push name of the contract. */
export type PushName<C extends RealtimeContract> = keyof C['pushes'] & string;
/** The `data` of a push. */
export type PushData<C extends RealtimeContract, E extends PushName<C>> = C['pushes'][E];

/** The payload argument: optional when the payload type accepts `undefined`. */
export type PayloadArgs<P, Rest extends unknown[] = []> = undefined extends P
  ? [payload?: P, ...rest: Rest]
  : [payload: P, ...rest: Rest];
