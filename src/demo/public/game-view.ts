import type { RealtimeClient } from '../../client/index.js';
import type { DemoContract, GameSeat, GameView, Mark } from '../contract.js';
import { byId, h, replaceChildren } from './dom.js';
import { describe } from './notices.js';
import { LINES } from '../game/tic-tac-toe.js';

type Client = RealtimeClient<DemoContract>;

/** `idle`: no game; `waiting`: queued for an opponent; `playing`; `over`: won, draw, abandoned. */
export type GamePhase = 'idle' | 'waiting' | 'playing' | 'over';

/** The cells of the winning line of a board, if there is one. */
export function winningCells(board: GameView['board']): number[] {
  for (const line of LINES) {
    const [a, b, c] = line;
    if (board[a] && board[a] === board[b] && board[a] === board[c]) return [...line];
  }
  return [];
}

/** The sentence under the board. */
export function gameStatus(phase: GamePhase, seat: GameSeat | undefined, view?: GameView): string {
  if (phase === 'idle') return 'Play against another tab or another person.';
  if (phase === 'waiting' || !seat || !view) {
    return 'Waiting for an opponent… open this page in another tab to play.';
  }
  const mine = seat.mark;
  if (view.status === 'playing') {
    return view.turn === mine
      ? `You are ${mine}. Your turn.`
      : `You are ${mine}. ${other(mine)} is thinking…`;
  }
  if (view.status === 'draw') return 'Draw. Nobody wins.';
  if (view.status === 'abandoned') {
    return view.winner === mine
      ? 'Your opponent left: you win by forfeit.'
      : 'You left the game: it was forfeited.';
  }
  return view.winner === mine
    ? `You win! ${mine} has three in a row.`
    : `${view.winner} wins. You lose.`;
}

function other(mark: Mark): Mark {
  return mark === 'X' ? 'O' : 'X';
}

/**
 * The tic-tac-toe panel. The server is authoritative: a click sends `game:move` and the board
 * shows the `game:state` that comes back (to both players).
 */
export class GameViewPanel {
  private phase: GamePhase = 'idle';
  private seat: GameSeat | undefined;
  private view: GameView | undefined;
  /** A `game:state` that arrived before the `game:join` reply (demo.md allows it). */
  private early: GameView | undefined;
  private note = '';
  private readonly stopListening: () => void;
  private readonly dom = new AbortController();

  private readonly root = byId('game', HTMLElement);
  private readonly status = byId('game-status', HTMLElement);
  private readonly markBadge = byId('game-mark', HTMLElement);
  private readonly board = byId('board', HTMLElement);
  private readonly play = byId('game-play', HTMLButtonElement);
  private readonly cells: HTMLButtonElement[];

  constructor(private readonly client: Client) {
    this.stopListening = client.on('game:state', (view) => this.onState(view));
    this.cells = Array.from({ length: 9 }, (_, cell) => {
      const button = h('button', { type: 'button', class: 'cell', 'data-cell': cell });
      button.addEventListener('click', () => void this.move(cell), { signal: this.dom.signal });
      return button;
    });
    replaceChildren(this.board, ...this.cells);
    this.play.addEventListener('click', () => void this.join(), { signal: this.dom.signal });
    this.render();
  }

  /** The connection dropped: the server forfeits a running game and forgets a waiting one. */
  connectionLost(): void {
    if (this.phase === 'waiting') {
      this.phase = 'idle';
      this.note = 'Connection lost: you left the queue.';
    } else if (this.phase === 'playing' && this.view && this.seat) {
      this.phase = 'over';
      this.view = { ...this.view, status: 'abandoned', turn: null, winner: other(this.seat.mark) };
      this.note = '';
    }
    this.render();
  }

  /** Stops listening to the client and the page. */
  dispose(): void {
    this.stopListening();
    this.dom.abort();
    this.phase = 'idle';
    this.seat = this.view = this.early = undefined;
    this.note = '';
    this.render();
  }

  private async join(): Promise<void> {
    this.phase = 'waiting';
    this.seat = this.view = undefined;
    this.note = '';
    this.render();
    try {
      const seat = await this.client.request('game:join', {});
      if (this.phase !== 'waiting') return;
      this.seat = seat;
      const early = this.early?.gameId === seat.gameId ? this.early : undefined;
      this.early = undefined;
      if (early) this.apply(early);
      else this.render();
    } catch (error) {
      this.phase = 'idle';
      this.note = `Could not join a game. ${describe(error)}`;
      this.render();
    }
  }

  private async move(cell: number): Promise<void> {
    const { seat, view } = this;
    if (!seat || !view || view.status !== 'playing' || view.turn !== seat.mark) return;
    this.note = '';
    try {
      this.apply(await this.client.request('game:move', { gameId: seat.gameId, cell }));
    } catch (error) {
      this.note = describe(error);
      this.render();
    }
  }

  private onState(view: GameView): void {
    if (this.seat?.gameId === view.gameId) this.apply(view);
    else if (this.phase === 'waiting') this.early = view;
  }

  private apply(view: GameView): void {
    this.view = view;
    this.phase = view.status === 'playing' ? 'playing' : 'over';
    this.render();
  }

  private render(): void {
    const { phase, seat, view } = this;
    this.root.dataset['phase'] = phase;
    if (view?.winner) this.root.dataset['winner'] = view.winner;
    else delete this.root.dataset['winner'];
    this.markBadge.textContent = seat && phase !== 'idle' ? `You are ${seat.mark}` : '';
    this.status.textContent = this.note || gameStatus(phase, seat, view);
    const myTurn = phase === 'playing' && !!seat && view?.turn === seat.mark;
    this.board.dataset['turn'] = myTurn ? 'mine' : 'theirs';
    const winning = new Set(view ? winningCells(view.board) : []);
    this.cells.forEach((button, cell) => {
      const square = view?.board[cell] ?? null;
      button.textContent = square ?? '';
      button.dataset['mark'] = square ?? '';
      button.classList.toggle('win', winning.has(cell));
      button.disabled = !myTurn || square !== null;
      button.setAttribute('aria-label', `Cell ${cell + 1}: ${square ?? 'empty'}`);
    });
    this.play.hidden = phase === 'waiting' || phase === 'playing';
    this.play.textContent = phase === 'over' ? 'Play again' : 'Find an opponent';
  }
}
