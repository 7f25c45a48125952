import { SubscribeMessage } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import {
  RealtimeDoc,
  type DescribedBy,
  type RealtimeDocOptions,
  type RealtimePushDocs,
} from '../asyncapi/realtime-doc.decorator.js';
import type {
  EventName,
  EventPayload,
  PushData,
  PushName,
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

function subscribe<M>(event: string, doc?: RealtimeDocOptions): TypedMethodDecorator<M> {
  const decorate = SubscribeMessage(event);
  const describe = doc ? RealtimeDoc(doc) : undefined;
  return (target, key, descriptor) => {
    decorate(target, key, descriptor);
    describe?.(target, key, descriptor);
  };
}

/** The pushes of a contract, each with the class that describes its `data`. */
export type ContractPushDocs<C extends RealtimeContract> = {
  readonly [E in PushName<C>]?:
    DescribedBy<PushData<C, E>> | (null extends PushData<C, E> ? null : never);
};

export interface ContractHandlers<C extends RealtimeContract> {
  /**
   * `@SubscribeMessage(event)` for a request of the contract. The compiler checks that the
   * method's first parameter (the `@MessageBody()`) accepts the contract's payload and that it
   * returns the contract's reply (plain, Promise or Observable).
   */
  request<E extends RequestName<C>>(
    event: E,
    doc?: RealtimeDocOptions<RequestReply<C, E>>,
  ): TypedMethodDecorator<
    (payload: RequestPayload<C, E>, ...rest: never[]) => ReplyLike<RequestReply<C, E>>
  >;
  /** `@SubscribeMessage(event)` for a fire-and-forget event; the payload is checked. */
  event<E extends EventName<C>>(
    event: E,
    doc?: RealtimeDocOptions,
  ): TypedMethodDecorator<(payload: EventPayload<C, E>, ...rest: never[]) => unknown>;
  /**
   * The `pushes` option of `@RealtimeGateway()`, each class checked against the contract's push
   * data: `@RealtimeGateway({ pushes: chat.pushes({ 'chat:message': ChatMessageDoc }) })`.
   */
  pushes(docs: ContractPushDocs<C>): RealtimePushDocs;
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
 * The payload is the method's first parameter. A second argument documents the handler for the
 * AsyncAPI document (`{ reply: SentReplyDoc, errors: ['USER_OFFLINE'] }`, see `RealtimeDoc`).
 */
export function contractHandlers<C extends RealtimeContract>(): ContractHandlers<C> {
  return {
    request: (event, doc) => subscribe(event, doc as RealtimeDocOptions | undefined),
    event: (event, doc) => subscribe(event, doc),
    pushes: (docs) => docs as RealtimePushDocs,
  };
}
