/**
 * Type tests of the AsyncAPI declarations checked against a contract. Compiled by `npm test`
 * (tsc --noEmit); never run. Each `@ts-expect-error` line proves that the compiler refuses a
 * reply or push class that disagrees with the contract.
 */
import { MessageBody } from '@nestjs/websockets';
import type { DemoContract, SentReply, Tick } from '../../src/demo/contract.js';
import { contractHandlers, RealtimeGateway } from '../../src/server/index.js';

const demo = contractHandlers<DemoContract>();

class SentReplyDoc implements SentReply {
  id!: string;
  at!: number;
}

class WrongReplyDoc {
  id!: number;
}

class TickDoc implements Tick {
  symbol!: string;
  price!: number;
  at!: number;
}

class Payload {
  room!: string;
  text!: string;
}

export class Handlers {
  @demo.request('chat:send', { reply: SentReplyDoc, errors: ['NOT_A_MEMBER'] })
  send(@MessageBody() _dto: Payload): SentReply {
    return { id: 'm1', at: 0 };
  }

  // @ts-expect-error the reply class does not match the contract's SentReply
  @demo.request('chat:send', { reply: WrongReplyDoc })
  wrongReply(@MessageBody() _dto: Payload): SentReply {
    return { id: 'm1', at: 0 };
  }

  @demo.request('chat:leave', { reply: null })
  leave(@MessageBody() _dto: { room: string }): null {
    return null;
  }

  // @ts-expect-error a null reply where the contract replies SentReply
  @demo.request('chat:send', { reply: null })
  nullReply(@MessageBody() _dto: Payload): SentReply {
    return { id: 'm1', at: 0 };
  }
}

export const pushes = demo.pushes({ 'ticker:tick': TickDoc });

// @ts-expect-error 'ticker:tock' is not a push of the contract
export const unknownPush = demo.pushes({ 'ticker:tock': TickDoc });

// @ts-expect-error the class does not describe a Tick
export const wrongPush = demo.pushes({ 'ticker:tick': SentReplyDoc });

@RealtimeGateway({ path: '/ws', pushes })
export class WithPushes {}
