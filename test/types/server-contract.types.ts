/**
 * Type tests of the server side of a contract. Compiled by `npm test` (tsc --noEmit); never run.
 * Each `@ts-expect-error` line proves that the compiler refuses a disagreement with the contract.
 */
import { MessageBody } from '@nestjs/websockets';
import type {
  DemoContract,
  GameView,
  RoomJoinReply,
  SentReply,
  Tick,
} from '../../src/demo/contract.js';
import type { RequestPayload, RequestReply, PushData } from '../../src/protocol/index.js';
import {
  contractHandlers,
  CurrentConnection,
  type ConnectionRegistry,
  type RealtimeConnection,
} from '../../src/server/index.js';
import type { Equal, Expect } from './type-assertions.js';

export type ContractLookups = [
  Expect<Equal<RequestPayload<DemoContract, 'chat:send'>, { room: string; text: string }>>,
  Expect<Equal<RequestReply<DemoContract, 'chat:join'>, RoomJoinReply>>,
  Expect<Equal<RequestReply<DemoContract, 'game:move'>, GameView>>,
  Expect<Equal<PushData<DemoContract, 'ticker:tick'>, Tick>>,
];

const demo = contractHandlers<DemoContract>();

class SendDto {
  room!: string;
  text!: string;
}

class SendDtoWithExtraRequiredField {
  room!: string;
  text!: string;
  priority!: number;
}

export class CheckedGateway {
  @demo.request('chat:send')
  send(@MessageBody() dto: SendDto): SentReply {
    return { id: dto.room, at: 0 };
  }

  @demo.request('chat:send')
  async sendAsync(
    @MessageBody() dto: SendDto,
    @CurrentConnection() connection: RealtimeConnection,
  ): Promise<SentReply> {
    return { id: `${dto.text}${connection.id}`, at: 0 };
  }

  // @ts-expect-error the DTO requires a field the contract's payload does not have
  @demo.request('chat:send')
  sendWrongPayload(@MessageBody() dto: SendDtoWithExtraRequiredField): SentReply {
    return { id: dto.room, at: dto.priority };
  }

  // @ts-expect-error the reply is not the contract's SentReply
  @demo.request('chat:send')
  sendWrongReply(@MessageBody() dto: SendDto): { ok: boolean } {
    return { ok: dto.text.length > 0 };
  }

  // @ts-expect-error not an event of the contract
  @demo.request('chat:sned')
  typo(): null {
    return null;
  }

  @demo.event('chat:typing')
  typing(@MessageBody() dto: { room: string }): void {
    void dto;
  }
}

export function typedPushes(registry: ConnectionRegistry<DemoContract>): void {
  registry.to('ticker:ACME').emit('ticker:tick', { symbol: 'ACME', price: 1, at: 0 });
  // @ts-expect-error a push field is missing
  registry.to('ticker:ACME').emit('ticker:tick', { symbol: 'ACME', at: 0 });
  // @ts-expect-error not a push of the contract
  registry.toUser('u1').emit('ticker:tock', { symbol: 'ACME', price: 1, at: 0 });
}

export function untypedRegistry(registry: ConnectionRegistry): void {
  // Without a contract, any event and any data are accepted.
  registry.all().emit('anything', { at: 1 });
}
