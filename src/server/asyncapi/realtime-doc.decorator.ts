import { SetMetadata } from '@nestjs/common';

/**
 * A class whose instances are `T`: a DTO-like class whose class-validator decorators describe
 * the data (`class SentReplyDoc implements SentReply { @IsString() id!: string; ... }`). The
 * compiler checks it against the contract's type; the AsyncAPI document reads its decorators.
 */
export type DescribedBy<T> = abstract new (...args: never[]) => T;

/** What the AsyncAPI document says about one handler beyond its payload DTO. */
export interface RealtimeDocOptions<R = unknown> {
  /** The reply's `data`: a described class, or `null` for a handler that replies `null`. */
  reply?: DescribedBy<R> | (null extends R ? null : never);
  /** The app codes the handler raises (`RealtimeException('NOT_YOUR_TURN', ...)`). */
  errors?: readonly string[];
  /** One line for the operation. */
  summary?: string;
  /** More text for the operation (CommonMark). */
  description?: string;
}

/** Server-to-client pushes of a gateway's path: event name to the class of its `data`. */
export type RealtimePushDocs = Readonly<Record<string, DescribedBy<unknown> | null>>;

/** Metadata key of `@RealtimeDoc()`. */
export const REALTIME_DOC = 'realtime:doc';

/**
 * Documents a handler for the AsyncAPI document: its reply, the app error codes it raises, a
 * summary. Runtime-only data (the TypeScript contract is gone at run time); the payload comes
 * from the `@MessageBody()` DTO and needs no declaration. Contract handlers take the same
 * options as a second argument, checked against the contract:
 * `@demo.request('chat:send', { reply: SentReplyDoc })`.
 */
export function RealtimeDoc<R = unknown>(options: RealtimeDocOptions<R>): MethodDecorator {
  return SetMetadata(REALTIME_DOC, options);
}
