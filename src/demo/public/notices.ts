import { ClientErrorCode, ErrorCode, RealtimeClientError } from '../../client/index.js';
import { h } from './dom.js';

/** How long a notice stays on screen. */
const NOTICE_MS = 6000;

/** Most notices on screen at once; older ones go first. */
const MAX_NOTICES = 4;

export type NoticeKind = 'info' | 'error';

/** Shows a short message in the notice area (an `aria-live` region) for a few seconds. */
export type Notify = (text: string, kind?: NoticeKind) => void;

/** The notifier of the notice area `region`. */
export function noticesIn(region: HTMLElement): Notify {
  return (text, kind = 'info') => {
    const notice = h(
      'p',
      { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null },
      text,
    );
    region.appendChild(notice);
    while (region.children.length > MAX_NOTICES) region.firstElementChild?.remove();
    setTimeout(() => notice.remove(), NOTICE_MS);
  };
}

/**
 * What the user reads for each code the page may meet: the SDK's own codes, the protocol's
 * and the demo's. Never the code itself, nor the SDK's message (written for developers).
 */
const SENTENCES: Readonly<Record<string, string>> = {
  [ClientErrorCode.TIMEOUT]: 'The server did not answer in time.',
  [ClientErrorCode.DISCONNECTED]: 'The connection dropped before the server answered.',
  [ClientErrorCode.CLOSED]: 'You are not connected.',
  [ClientErrorCode.QUEUE_FULL]:
    'Too much is waiting to be sent. Try again once you are back online.',
  [ClientErrorCode.AUTH_FAILED]: 'Signing in again did not work. Reload the page.',
  [ClientErrorCode.CONNECT_FAILED]: 'The page could not connect to the server.',
  [ClientErrorCode.TOKEN_FAILED]: 'Could not renew your sign-in yet. Trying again.',
  [ClientErrorCode.CONNECT_TIMEOUT]: 'The server is slow to answer. Trying again.',
  [ClientErrorCode.UNREACHABLE]: 'The server cannot be reached right now. Still trying.',
  [ClientErrorCode.UPGRADE_REFUSED]: 'The server refused the connection.',
  [ClientErrorCode.PING_TIMEOUT]: 'The connection stopped answering. Reconnecting.',
  [ClientErrorCode.BAD_PAYLOAD]: 'The page could not send that.',
  [ClientErrorCode.LISTENER_FAILED]: 'Something went wrong on this page. Reloading it may help.',
  [ClientErrorCode.RECONNECT_HOOK_FAILED]:
    'Back online, but your rooms and prices could not all be restored.',
  [ErrorCode.BAD_MESSAGE]: 'The server did not understand that.',
  [ErrorCode.UNKNOWN_EVENT]: 'The server did not understand that.',
  [ErrorCode.VALIDATION_FAILED]: 'The server did not accept that.',
  [ErrorCode.UNAUTHORIZED]: 'Your sign-in is no longer valid.',
  [ErrorCode.FORBIDDEN]: 'You are not allowed to do that.',
  [ErrorCode.RATE_LIMITED]: 'That was too fast. Wait a moment and try again.',
  [ErrorCode.INTERNAL]: 'The server ran into a problem. Try again.',
  [ErrorCode.TOO_MANY_ROOMS]: 'You are in as many rooms as you may. Leave one first.',
  USER_OFFLINE: 'They are not online any more.',
  TOO_MANY_SYMBOLS: 'You follow as many symbols as you may. Stop following one first.',
  GAME_NOT_FOUND: 'That game is over.',
  GAME_OVER: 'That game is over.',
  NOT_YOUR_TURN: 'It is not your turn.',
  CELL_TAKEN: 'That square is taken.',
  CONNECTION_CLOSED: 'You are not connected.',
};

/** For a code the page does not know. */
const SOMETHING_WENT_WRONG = 'Something went wrong. Try again.';

/** `text` as a sentence: capital first, full stop last. */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return SOMETHING_WENT_WRONG;
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * A failure as a sentence for the user. An SDK error becomes the sentence of its code, never
 * the code or the SDK's message; `fetch` failing (a `TypeError`) means the server is out of
 * reach; any other error is the page's own, already written for the user.
 */
export function describe(error: unknown): string {
  if (error instanceof RealtimeClientError) return SENTENCES[error.code] ?? SOMETHING_WENT_WRONG;
  if (error instanceof TypeError) return 'The demo server cannot be reached.';
  return sentence(error instanceof Error ? error.message : String(error));
}
