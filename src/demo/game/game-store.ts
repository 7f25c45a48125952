import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RealtimeException } from '../../server/index.js';
import type { GameSeat, GameView } from '../contract.js';
import type { GameUpdate } from './game.types.js';
import {
  forfeit,
  newGame,
  play,
  type GameState,
  type Mark,
  type MoveError,
} from './tic-tac-toe.js';

/** One game, by connection ids. `o` is unset while X waits for an opponent. */
interface Game {
  readonly id: string;
  readonly x: string;
  o: string | undefined;
  state: GameState;
}

/** What `join` did: the player's seat, and a state to push when there is one. */
export interface JoinOutcome {
  seat: GameSeat;
  update?: GameUpdate;
}

const MOVE_ERRORS: Readonly<Record<MoveError, string>> = {
  GAME_OVER: 'The game is over',
  NOT_YOUR_TURN: 'Wait for the other player',
  CELL_TAKEN: 'That cell is taken',
};

function markOf(game: Game, connectionId: string): Mark | undefined {
  if (game.x === connectionId) return 'X';
  return game.o === connectionId ? 'O' : undefined;
}

function viewOf(game: Game): GameView {
  const { board, turn, winner, status } = game.state;
  return { gameId: game.id, board: [...board], turn, winner, status };
}

function notFound(): RealtimeException {
  return new RealtimeException('GAME_NOT_FOUND', 'No such game among yours');
}

/**
 * The authoritative tic-tac-toe games of this instance, by connection id: pairs waiting
 * players, validates every move and forfeits a game whose player leaves. A game is forgotten
 * once none of its players sits at it any more (they left, or joined another game).
 */
@Injectable()
export class GameStore {
  private readonly games = new Map<string, Game>();
  /** The game each connection sits at: waiting, playing, or finished and not left yet. */
  private readonly seats = new Map<string, string>();
  private waiting: Game | undefined;

  /**
   * Seats a connection: pairs it with the waiting player (who plays X) or makes it wait.
   * A connection that is already waiting or playing keeps its seat; a playing one gets the
   * state again.
   */
  join(connectionId: string): JoinOutcome {
    const current = this.gameOf(connectionId);
    if (current?.state.status === 'playing') return this.rejoin(current, connectionId);
    if (current) this.unseat(connectionId, current);
    return this.waiting ? this.pair(this.waiting, connectionId) : this.queue(connectionId);
  }

  /**
   * Plays a move for a connection. Throws `GAME_NOT_FOUND` (unknown game or not a player),
   * `NOT_YOUR_TURN` (including before an opponent joined), `CELL_TAKEN` or `GAME_OVER`.
   */
  move(connectionId: string, gameId: string, cell: number): GameUpdate {
    const game = this.games.get(gameId);
    const mark = game && markOf(game, connectionId);
    if (!game || !mark) throw notFound();
    if (!game.o) throw new RealtimeException('NOT_YOUR_TURN', 'Wait for an opponent to join');
    const result = play(game.state, mark, cell);
    if (!result.ok) throw new RealtimeException(result.error, MOVE_ERRORS[result.error]);
    game.state = result.state;
    return { view: viewOf(game), recipients: [game.x, game.o] };
  }

  /**
   * A connection went away: it leaves the queue, or forfeits its running game. Returns the
   * abandoned state for the opponent, if there is one to tell.
   */
  leave(connectionId: string): GameUpdate | undefined {
    const game = this.gameOf(connectionId);
    if (!game) return undefined;
    if (game === this.waiting) this.waiting = undefined;
    const mark = markOf(game, connectionId);
    const opponent = mark === 'X' ? game.o : game.x;
    const running = game.o !== undefined && game.state.status === 'playing';
    if (running && mark) game.state = forfeit(game.state, mark);
    this.unseat(connectionId, game);
    return running && opponent ? { view: viewOf(game), recipients: [opponent] } : undefined;
  }

  /** How many games are held and whether someone waits. Read-only, for tests and metrics. */
  counts(): { games: number; seated: number; waiting: boolean } {
    return { games: this.games.size, seated: this.seats.size, waiting: !!this.waiting };
  }

  private gameOf(connectionId: string): Game | undefined {
    const id = this.seats.get(connectionId);
    return id === undefined ? undefined : this.games.get(id);
  }

  private rejoin(game: Game, connectionId: string): JoinOutcome {
    const seat: GameSeat = { gameId: game.id, mark: game.x === connectionId ? 'X' : 'O' };
    if (!game.o) return { seat };
    return { seat, update: { view: viewOf(game), recipients: [connectionId] } };
  }

  private queue(connectionId: string): JoinOutcome {
    const game: Game = { id: randomUUID(), x: connectionId, o: undefined, state: newGame() };
    this.games.set(game.id, game);
    this.seats.set(connectionId, game.id);
    this.waiting = game;
    return { seat: { gameId: game.id, mark: 'X' } };
  }

  private pair(game: Game, connectionId: string): JoinOutcome {
    game.o = connectionId;
    this.waiting = undefined;
    this.seats.set(connectionId, game.id);
    return {
      seat: { gameId: game.id, mark: 'O' },
      update: { view: viewOf(game), recipients: [game.x, connectionId] },
    };
  }

  private unseat(connectionId: string, game: Game): void {
    this.seats.delete(connectionId);
    const seated = [game.x, game.o].some((p) => p !== undefined && this.seats.get(p) === game.id);
    if (!seated) this.games.delete(game.id);
  }
}
