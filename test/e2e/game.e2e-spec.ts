import { GameStore } from '../../src/demo/game/game-store.js';
import { startDemo, type RunningApp } from '../support/demo-app.js';
import type { TestSocket } from '../support/ws-client.js';
import { serverClosed } from '../support/server-close.js';

type Mark = 'X' | 'O';

interface GameView {
  gameId: string;
  board: (Mark | null)[];
  turn: Mark | null;
  winner: Mark | null;
  status: string;
}

interface Seat {
  gameId: string;
  mark: Mark;
}

const EMPTY = Array<null>(9).fill(null);

/** A board from 9 characters: X, O or '.' (spaces ignored). */
const board = (rows: string): (Mark | null)[] =>
  [...rows.replace(/\s/g, '')].map((c) => (c === '.' ? null : (c as Mark)));

async function nextState(socket: TestSocket): Promise<GameView> {
  return (await socket.nextEvent('game:state'))['data'] as GameView;
}

async function join(socket: TestSocket): Promise<Seat> {
  const reply = await socket.request('game:join', {});
  expect(reply['error']).toBeUndefined();
  return reply['data'] as Seat;
}

describe('demo tic-tac-toe', () => {
  let demo: RunningApp;
  const sockets: TestSocket[] = [];
  let users = 0;
  const connect = async () => {
    const socket = await demo.connect({ sub: `u-player-${++users}` });
    sockets.push(socket);
    return socket;
  };

  /** Two players paired, their first game:state consumed. */
  const startGame = async () => {
    const x = await connect();
    const o = await connect();
    const { gameId } = await join(x);
    await join(o);
    await nextState(x);
    await nextState(o);
    return { x, o, gameId };
  };

  /** Plays a move and checks that the reply is the state that both players are pushed. */
  const move = async (player: TestSocket, others: TestSocket[], gameId: string, cell: number) => {
    const reply = await player.request('game:move', { gameId, cell });
    expect(reply['error']).toBeUndefined();
    const view = reply['data'] as GameView;
    for (const socket of [player, ...others]) expect(await nextState(socket)).toEqual(view);
    return view;
  };

  beforeEach(async () => {
    demo = await startDemo();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await demo.close();
  });

  it('pairs two players as X and O and sends both the new game', async () => {
    const x = await connect();
    const o = await connect();
    const first = await join(x);
    expect(first).toEqual({ gameId: expect.any(String), mark: 'X' });
    expect(await join(o)).toEqual({ gameId: first.gameId, mark: 'O' });
    const expected = {
      gameId: first.gameId,
      board: EMPTY,
      turn: 'X',
      winner: null,
      status: 'playing',
    };
    expect(await nextState(x)).toEqual(expected);
    expect(await nextState(o)).toEqual(expected);
  });

  it('keeps the seat of a player who joins again while waiting or playing', async () => {
    const x = await connect();
    const o = await connect();
    const waiting = await join(x);
    expect(await join(x)).toEqual(waiting);
    // Not paired with itself: the next player gets the other seat of the same game.
    expect(await join(o)).toEqual({ gameId: waiting.gameId, mark: 'O' });
    await nextState(x);
    await nextState(o);
    expect(await join(o)).toEqual({ gameId: waiting.gameId, mark: 'O' });
    expect(await nextState(o)).toMatchObject({ gameId: waiting.gameId, status: 'playing' });
  });

  it('plays a game won by X; both players see the final state', async () => {
    const { x, o, gameId } = await startGame();
    await move(x, [o], gameId, 0);
    const afterO = await move(o, [x], gameId, 3);
    expect(afterO).toEqual({
      gameId,
      board: board('X.. O.. ...'),
      turn: 'X',
      winner: null,
      status: 'playing',
    });
    await move(x, [o], gameId, 1);
    await move(o, [x], gameId, 4);
    expect(await move(x, [o], gameId, 2)).toEqual({
      gameId,
      board: board('XXX OO. ...'),
      turn: null,
      winner: 'X',
      status: 'won',
    });
  });

  it('plays a draw', async () => {
    const { x, o, gameId } = await startGame();
    const cells = [0, 1, 2, 4, 3, 5, 7, 6, 8];
    let last: GameView | undefined;
    for (const [i, cell] of cells.entries()) {
      const [player, other] = i % 2 === 0 ? [x, o] : [o, x];
      last = await move(player, [other], gameId, cell);
    }
    expect(last).toEqual({
      gameId,
      board: board('XOX XOO OXX'),
      turn: null,
      winner: null,
      status: 'draw',
    });
  });

  it('refuses moves out of turn, on a taken cell and after the end', async () => {
    const { x, o, gameId } = await startGame();
    const early = await o.request('game:move', { gameId, cell: 0 });
    expect(early['error']).toEqual({ code: 'NOT_YOUR_TURN', message: 'Wait for the other player' });
    await move(x, [o], gameId, 4);
    const again = await x.request('game:move', { gameId, cell: 0 });
    expect(again['error']).toMatchObject({ code: 'NOT_YOUR_TURN' });
    const taken = await o.request('game:move', { gameId, cell: 4 });
    expect(taken['error']).toEqual({ code: 'CELL_TAKEN', message: 'That cell is taken' });
    for (const [player, other, cell] of [
      [o, x, 0],
      [x, o, 3],
      [o, x, 1],
      [x, o, 5],
    ] as const) {
      await move(player, [other], gameId, cell);
    }
    const over = await o.request('game:move', { gameId, cell: 8 });
    expect(over['error']).toEqual({ code: 'GAME_OVER', message: 'The game is over' });
    // A refused move changes nothing and pushes nothing.
    await x.request('$ping');
    expect(x.pending().filter((m) => m['event'] === 'game:state')).toEqual([]);
  });

  it('answers GAME_NOT_FOUND for an unknown game and for a game of others', async () => {
    const { gameId } = await startGame();
    const stranger = await connect();
    const unknown = await stranger.request('game:move', { gameId: 'no-such-game', cell: 0 });
    expect(unknown['error']).toEqual({
      code: 'GAME_NOT_FOUND',
      message: 'No such game among yours',
    });
    const foreign = await stranger.request('game:move', { gameId, cell: 0 });
    expect(foreign['error']).toMatchObject({ code: 'GAME_NOT_FOUND' });
  });

  it.each([
    ['9', { cell: 9 }],
    ['-1', { cell: -1 }],
    ['1.5', { cell: 1.5 }],
    ['"3"', { cell: '3' }],
    ['missing', {}],
  ])('refuses cell %s with VALIDATION_FAILED', async (_label, payload) => {
    const { x, gameId } = await startGame();
    const reply = await x.request('game:move', { gameId, ...payload });
    expect(reply['error']).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'cell' })],
    });
  });

  it('refuses a move before an opponent has joined', async () => {
    const x = await connect();
    const { gameId } = await join(x);
    const reply = await x.request('game:move', { gameId, cell: 0 });
    expect(reply['error']).toEqual({
      code: 'NOT_YOUR_TURN',
      message: 'Wait for an opponent to join',
    });
  });

  it('forfeits the game of a player who disconnects', async () => {
    const { x, o, gameId } = await startGame();
    await move(x, [o], gameId, 4);
    await o.close();
    expect(await nextState(x)).toEqual({
      gameId,
      board: board('... .X. ...'),
      turn: null,
      winner: 'X',
      status: 'abandoned',
    });
    const after = await x.request('game:move', { gameId, cell: 0 });
    expect(after['error']).toMatchObject({ code: 'GAME_OVER' });
    // The winner can start over: a new game, waiting for an opponent.
    const next = await join(x);
    expect(next.gameId).not.toBe(gameId);
    expect(next.mark).toBe('X');
  });

  it('takes a waiting player who disconnects out of the queue', async () => {
    const gone = await connect();
    const left = await join(gone);
    const closed = serverClosed(demo, `u-player-${users}`);
    await gone.close();
    await closed;
    expect(demo.app.get(GameStore).counts()).toEqual({ games: 0, seated: 0, waiting: false });
    const x = await connect();
    const o = await connect();
    const seat = await join(x);
    expect(seat).toEqual({ gameId: expect.any(String), mark: 'X' });
    expect(seat.gameId).not.toBe(left.gameId);
    expect(await join(o)).toEqual({ gameId: seat.gameId, mark: 'O' });
    expect(await nextState(x)).toMatchObject({ gameId: seat.gameId, status: 'playing' });
  });

  it('makes a third player wait until a fourth arrives', async () => {
    const first = await startGame();
    const third = await connect();
    const fourth = await connect();
    const waiting = await join(third);
    expect(waiting.mark).toBe('X');
    expect(waiting.gameId).not.toBe(first.gameId);
    // Still waiting: a move of the first game reaches its players, and nothing reaches the third.
    await move(first.x, [first.o], first.gameId, 0);
    await third.request('$ping');
    expect(third.pending()).toEqual([]);
    expect(await join(fourth)).toEqual({ gameId: waiting.gameId, mark: 'O' });
    const started = {
      gameId: waiting.gameId,
      board: EMPTY,
      turn: 'X',
      winner: null,
      status: 'playing',
    };
    expect(await nextState(third)).toEqual(started);
    expect(await nextState(fourth)).toEqual(started);
    // The first game never hears of the second one.
    await move(first.o, [first.x], first.gameId, 4);
    expect([...first.x.pending(), ...first.o.pending()]).toEqual([]);
  });
});
