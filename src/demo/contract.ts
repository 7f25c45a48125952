import type { DefineContract } from '../protocol/index.js';

/**
 * The demo's wire contract: every event of `/ws` with its payload, reply and pushes. The
 * gateways, the web page and the tests import it, so changing a field here breaks the build of
 * every place that disagrees. Plain types only: the browser imports this file too.
 */

/** A user as the demo shows it: `sub` and the token's `name`. */
export interface ChatUser {
  id: string;
  name: string;
}

export interface ChatMessage {
  id: string;
  room: string;
  from: ChatUser;
  text: string;
  at: number;
}

export interface DirectMessage {
  id: string;
  from: ChatUser;
  text: string;
  at: number;
}

/** Reply of `chat:join`: at most 100 members (demo.md, "Big rooms"), and the room's size. */
export interface RoomJoinReply {
  room: string;
  members: ChatUser[];
  /** Members of the room on every instance (connections: a user with two tabs counts twice). */
  count: number;
}

/**
 * The `chat:presence` push of a room above 100 members: its joins and leaves since the last
 * one, at most one per room per second (per instance), instead of `chat:joined`/`chat:left`.
 */
export interface RoomPresence {
  room: string;
  joined: ChatUser[];
  left: ChatUser[];
  count: number;
}

export interface SentReply {
  id: string;
  at: number;
}

export interface RoomUser {
  room: string;
  user: ChatUser;
}

/** Reply of `ticker:subscribe`: the current price of each requested symbol. */
export interface SubscribeReply {
  prices: Record<string, number>;
}

/** The `ticker:tick` push: one price of one symbol. */
export interface Tick {
  symbol: string;
  price: number;
  /** Server time of the tick, in ms since the epoch. */
  at: number;
}

/** A player's mark. X always starts. */
export type Mark = 'X' | 'O';

/** One square of the board. */
export type Square = Mark | null;

/** `won`, `draw` and `abandoned` are final. */
export type GameStatus = 'playing' | 'won' | 'draw' | 'abandoned';

/** Reply of `game:join`: the game and the mark of the player. */
export interface GameSeat {
  gameId: string;
  mark: Mark;
}

/** The `game:state` push, also the reply of `game:move`. */
export interface GameView {
  gameId: string;
  board: Square[];
  turn: Mark | null;
  winner: Mark | null;
  status: GameStatus;
}

export type DemoContract = DefineContract<{
  requests: {
    'chat:join': { payload: { room: string }; reply: RoomJoinReply };
    'chat:leave': { payload: { room: string }; reply: null };
    'chat:send': { payload: { room: string; text: string }; reply: SentReply };
    'chat:typing': { payload: { room: string }; reply: null };
    'chat:direct': { payload: { to: string; text: string }; reply: SentReply };
    'ticker:subscribe': { payload: { symbols: string[] }; reply: SubscribeReply };
    'ticker:unsubscribe': { payload: { symbols: string[] }; reply: null };
    'game:join': { payload: Record<string, never> | undefined; reply: GameSeat };
    'game:move': { payload: { gameId: string; cell: number }; reply: GameView };
    'admin:revoke': { payload: { userId: string; reason?: string }; reply: { revoked: number } };
  };
  events: {
    'chat:typing': { room: string };
  };
  pushes: {
    'chat:joined': RoomUser;
    'chat:left': RoomUser;
    'chat:presence': RoomPresence;
    'chat:message': ChatMessage;
    'chat:typing': RoomUser;
    'chat:direct': DirectMessage;
    'ticker:tick': Tick;
    'game:state': GameView;
  };
}>;
