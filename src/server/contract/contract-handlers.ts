import { SubscribeMessage } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type {
  EventName,
  EventPayload,
  RealtimeContract,
  RequestName,
  RequestPayload,
  RequestReply,
} from '../../protocol/index.js';

/** What a request handler may return for reply `R`. */
export type ReplyLike<R> = R | Promise<R> | Observable<R>;

/** A method decorator that only accepts methods assignable to `M`. */
export type TypedMethodDecorator<M> = <T extends M>(
  target: object,
  key: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => void;

function subscribe<M>(event: string): TypedMethodDecorator<M> {
  const decorate = SubscribeMessage(event);
  return (target, key, descriptor) => void decorate(target, key, descriptor);
}

export interface ContractHandlers<C extends RealtimeContract> {
  /**
   * `@SubscribeMessage(event)` for a request of the contract. The compiler checks that the
   * method's first parameter (the `@MessageBody()`) accepts the contract's payload and that it
   * returns the contract's reply (plain, Promise or Observable).
   */
  request<E extends RequestName<C>>(
    event: E,
  ): TypedMethodDecorator<
    (payload: RequestPayload<C, E>, ...rest: never[]) => ReplyLike<RequestReply<C, E>>
  >;
  /** `@SubscribeMessage(event)` for a fire-and-forget event; the payload is checked. */
  event<E extends EventName<C>>(
    event: E,
  ): TypedMethodDecorator<(payload: EventPayload<C, E>, ...rest: never[]) => unknown>;
}

/**
 * Handler decorators checked against a contract: an unknown event, a payload DTO that does not
 * accept the contract's payload, or a wrong reply type is a compile error.
 *
 * ```ts
 * const chat = contractHandlers<ChatContract>();
 *
 * @chat.request('chat:send') // instead of @SubscribeMessage('chat:send')
 * send(@MessageBody() dto: SendDto): SentReply { ... }
 * ```
 *
 * The payload is the method's first parameter.
 */
export function contractHandlers<C extends RealtimeContract>(): ContractHandlers<C> {
  return {
    request: (event) => subscribe(event),
    event: (event) => subscribe(event),
  };
}
