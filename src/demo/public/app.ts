/**
 * The demo's web page: sign in with a dev token, then chat, watch the ticker and play
 * tic-tac-toe over one connection of the typed client SDK (`RealtimeClient<DemoContract>`).
 * Bundled by `npm run build` (scripts/build-page.mjs) into dist/public/app.js; the SDK itself is
 * its browser bundle, imported from /sdk/realtime-client.js.
 */
import {
  ClientErrorCode,
  RealtimeClient,
  type RealtimeClientError,
  type RecoveryInfo,
  type StateChange,
} from '../../client/index.js';
import type { ChatUser, DemoContract } from '../contract.js';
import type { PageConfig } from '../page/page-config.js';
import { ChatView } from './chat-view.js';
import { ConnectionView } from './connection-view.js';
import { byId } from './dom.js';
import { GameViewPanel } from './game-view.js';
import { describe, noticesIn } from './notices.js';
import { keepKeyboardScrolling } from './page-frame.js';
import { DevTokenSession, fetchPageConfig } from './session.js';
import { DEFAULT_SYMBOLS, TickerView } from './ticker-view.js';

/** The room every session joins first. */
const FIRST_ROOM = 'lobby';

/** Where the last name is remembered, to fill in the form next time. */
const NAME_KEY = 'nestjs-realtime-demo:name';

const notify = noticesIn(byId('notices', HTMLElement));
keepKeyboardScrolling(byId('page', HTMLElement));
const loginSection = byId('login', HTMLElement);
const loginForm = byId('login-form', HTMLFormElement);
const loginName = byId('login-name', HTMLInputElement);
const loginButton = byId('login-button', HTMLButtonElement);
const loginError = byId('login-error', HTMLElement);
const appSection = byId('app', HTMLElement);
const meBox = byId('me', HTMLElement);
const meName = byId('me-name', HTMLElement);
const signOutButton = byId('sign-out', HTMLButtonElement);

/** Errors of the connection attempts, which the client retries by itself. */
const SHOWN_BY_THE_BADGE = new Set<string>([
  ClientErrorCode.TOKEN_FAILED,
  ClientErrorCode.CONNECT_TIMEOUT,
  ClientErrorCode.UNREACHABLE,
]);

/** Everything that lives as long as one signed-in session. */
interface Running {
  session: DevTokenSession;
  client: RealtimeClient<DemoContract>;
  chat: ChatView;
  ticker: TickerView;
  game: GameViewPanel;
  stopListening: (() => void)[];
}

let running: Running | undefined;
const connection = new ConnectionView(() => {
  if (running) void connect(running);
});

function showUser(user: ChatUser): void {
  meName.textContent = user.name;
  meName.title = `user id ${user.id}`;
}

function wsUrl(path: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

/** Signs in as `name` and connects. */
async function start(config: PageConfig, name: string): Promise<void> {
  const session = await DevTokenSession.start(name, (user) => {
    showUser(user);
    running?.chat.userChanged();
    notify(`Your old token was no longer accepted: signed in again as ${user.name}, a new user.`);
  });
  const client = new RealtimeClient<DemoContract>({
    url: wsUrl(config.wsPath),
    getToken: session.getToken,
    // A dev token is a new user each time and `$auth` needs the same user: no in-band refresh.
    // When the token expires the server closes with 4401 and the client reconnects with a new one.
    refreshToken: false,
    // A demo server restarts in a second or two: retry soon.
    backoff: { initialMs: 250, maxMs: 5000 },
    // After every `$resume` reply, before `onReconnect` and the offline queue.
    onRecovery: (info) => {
      const current = running;
      if (current?.client === client) recovered(current, info);
    },
    // A reconnect that did not recover everything, before the offline queue is flushed: the
    // rooms and symbols come back first.
    onReconnect: async (reconnected) => {
      const current = running;
      if (current?.client !== reconnected) return;
      await Promise.all([current.chat.rejoin(), current.ticker.resubscribe()]);
    },
  });
  const chat = new ChatView(client, () => session.user, notify);
  const ticker = new TickerView(client, notify);
  const game = new GameViewPanel(client);
  const onState = (change: StateChange): void => {
    connection.show(change);
    if (change.previous === 'open') {
      chat.connectionLost();
      game.connectionLost();
    }
  };
  const stopListening = [
    client.onState(onState),
    client.onError((error) => {
      // Failed attempts to connect: the connection badge shows them, not a toast per retry.
      if (SHOWN_BY_THE_BADGE.has(error.code)) return;
      notify(describe(error), 'error');
      // A listener of this page threw: a bug, which the browser tests catch on the console.
      if (error.code === ClientErrorCode.LISTENER_FAILED) console.error(error);
    }),
  ];
  running = { session, client, chat, ticker, game, stopListening };
  showUser(session.user);
  meBox.hidden = false;
  loginSection.hidden = true;
  appSection.hidden = false;
  await connect(running);
}

/**
 * What a reconnect's `$resume` gave. Recovered: the server restored the rooms and replayed what
 * was missed, and `onReconnect` does not run. The chat rooms are joined again all the same,
 * quietly, so that the others (who saw this user leave when the socket dropped) see it back. The
 * ticker's rooms are latest-value streams: the resume already replayed the newest price of each
 * symbol, and the server's `onConnectionResume` made the connection a subscriber of the feed
 * again; subscribing once more here is redundant and harmless. Not recovered: `onReconnect`
 * joins again, and the rooms whose history is gone say so.
 */
function recovered(current: Running, info: RecoveryInfo): void {
  if (!info.wasRecovering) return;
  if (!info.recovered) return current.chat.historyLost(info.lost);
  Promise.all([current.chat.rejoin(false), current.ticker.resubscribe()]).catch((error: unknown) =>
    notify(describe(error), 'error'),
  );
}

/**
 * Connects (from `closed`: the first time, or the Reconnect button after the client stopped),
 * then joins the rooms and follows the symbols: the first ones, or again the ones it had.
 */
async function connect(current: Running): Promise<void> {
  const { client, chat, ticker } = current;
  for (;;) {
    try {
      await client.connect();
      break;
    } catch (error) {
      // UNREACHABLE: the client keeps trying, and the badge says so; wait for it to open.
      if ((error as RealtimeClientError).code === ClientErrorCode.UNREACHABLE) continue;
      // Stopped for good: the connection badge shows why, with a Reconnect button.
      return;
    }
  }
  try {
    await Promise.all([
      chat.rooms().length > 0 ? chat.rejoin() : chat.join(FIRST_ROOM),
      ticker.symbols().length > 0 ? ticker.resubscribe() : ticker.follow(DEFAULT_SYMBOLS),
    ]);
  } catch (error) {
    notify(describe(error), 'error');
  }
}

/** Signs out: closes the connection and shows the form again. */
async function stop(): Promise<void> {
  const current = running;
  if (!current) return;
  running = undefined;
  for (const off of current.stopListening) off();
  current.chat.dispose();
  current.ticker.dispose();
  current.game.dispose();
  await current.client.close('Signed out');
  connection.reset();
  meBox.hidden = true;
  appSection.hidden = true;
  loginSection.hidden = false;
  loginName.focus();
}

async function main(): Promise<void> {
  connection.reset();
  loginName.value = localStorage.getItem(NAME_KEY) ?? '';
  let config: PageConfig;
  try {
    config = await fetchPageConfig();
  } catch (error) {
    loginError.textContent = `${describe(error)} Reload to try again.`;
    return;
  }
  if (!config.devTokens) {
    loginError.textContent =
      'Dev tokens are off on this server (DEV_TOKENS=false or NODE_ENV=production): this page cannot sign in.';
    return;
  }
  loginButton.disabled = false;
  loginForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = loginName.value.trim();
    if (!name) return;
    loginError.textContent = '';
    loginButton.disabled = true;
    localStorage.setItem(NAME_KEY, name);
    start(config, name)
      .catch((error: unknown) => {
        loginError.textContent = `Could not sign in. ${describe(error)}`;
      })
      .finally(() => {
        loginButton.disabled = false;
      });
  });
  signOutButton.addEventListener('click', () => void stop());
  loginName.focus();
}

void main();
