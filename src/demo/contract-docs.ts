import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import type {
  ChatMessage,
  ChatUser,
  DirectMessage,
  GameSeat,
  GameStatus,
  GameView,
  Mark,
  RoomJoinReply,
  RoomPresence,
  RoomUser,
  SentReply,
  SubscribeReply,
  Tick,
  Square,
} from './contract.js';
import { demo } from './demo-handlers.js';
import { SYMBOL } from './ticker/ticker.dto.js';

/*
 * Run-time descriptions of the demo's replies and pushes, for the AsyncAPI document
 * (`/asyncapi.json`, `docs/asyncapi.json`). The contract's types vanish at run time; these
 * classes say the same with class-validator decorators, and each `implements` its contract type,
 * so the compiler rejects one that drifts from the contract. The server never validates its own
 * replies with them: they are documentation that cannot go stale silently.
 */

const MARKS: readonly Mark[] = ['X', 'O'];
const STATUSES: readonly GameStatus[] = ['playing', 'won', 'draw', 'abandoned'];

export class ChatUserDoc implements ChatUser {
  @IsString() id!: string;
  @IsString() name!: string;
}

export class RoomUserDoc implements RoomUser {
  @IsString() room!: string;
  @ValidateNested() @Type(() => ChatUserDoc) user!: ChatUserDoc;
}

export class RoomJoinReplyDoc implements RoomJoinReply {
  @IsString() room!: string;
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ChatUserDoc)
  members!: ChatUserDoc[];
  @IsInt() @Min(0) count!: number;
}

export class RoomPresenceDoc implements RoomPresence {
  @IsString() room!: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => ChatUserDoc) joined!: ChatUserDoc[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => ChatUserDoc) left!: ChatUserDoc[];
  @IsInt() @Min(0) count!: number;
}

export class SentReplyDoc implements SentReply {
  @IsUUID() id!: string;
  /** ms since the epoch */
  @IsInt() at!: number;
}

export class DirectMessageDoc implements DirectMessage {
  @IsUUID() id!: string;
  @ValidateNested() @Type(() => ChatUserDoc) from!: ChatUserDoc;
  @IsString() @Length(1, 2000) text!: string;
  @IsInt() at!: number;
}

export class ChatMessageDoc extends DirectMessageDoc implements ChatMessage {
  @IsString() room!: string;
}

export class SubscribeReplyDoc implements SubscribeReply {
  /** Symbol to price; class-validator has no decorator for a map's values. */
  @IsObject() prices!: Record<string, number>;
}

export class TickDoc implements Tick {
  @IsString() @Matches(SYMBOL) symbol!: string;
  @IsNumber() price!: number;
  @IsInt() at!: number;
}

export class GameSeatDoc implements GameSeat {
  @IsString() gameId!: string;
  @IsIn(MARKS) mark!: Mark;
}

export class GameViewDoc implements GameView {
  @IsString() gameId!: string;
  @IsArray() @IsIn([...MARKS, null], { each: true }) board!: Square[];
  @IsIn([...MARKS, null]) turn!: Mark | null;
  @IsIn([...MARKS, null]) winner!: Mark | null;
  @IsIn(STATUSES) status!: GameStatus;
}

export class RevokeReplyDoc {
  @IsInt() @Min(0) revoked!: number;
}

/** The pushes of each demo gateway, checked against the contract. */
export const CHAT_PUSHES = demo.pushes({
  'chat:joined': RoomUserDoc,
  'chat:left': RoomUserDoc,
  'chat:presence': RoomPresenceDoc,
  'chat:message': ChatMessageDoc,
  'chat:typing': RoomUserDoc,
  'chat:direct': DirectMessageDoc,
});
export const TICKER_PUSHES = demo.pushes({ 'ticker:tick': TickDoc });
export const GAME_PUSHES = demo.pushes({ 'game:state': GameViewDoc });
