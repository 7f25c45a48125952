import { UnauthorizedError } from '../../client/index.js';
import type { DevTokenResponse } from '../auth/dev-token.controller.js';
import type { ChatUser } from '../contract.js';
import type { PageConfig } from '../page/page-config.js';

/** A token this close to its `exp` is replaced rather than used. */
const EXPIRY_MARGIN_MS = 60_000;

/** `GET /page-config.json`; rejects when the server cannot be reached or answers an error. */
export async function fetchPageConfig(): Promise<PageConfig> {
  const res = await fetch('/page-config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET /page-config.json answered ${res.status}`);
  return (await res.json()) as PageConfig;
}

/**
 * `POST /auth/dev-token {name}`: a token for a fresh user with that display name. A refusal
 * (4xx: a bad name, dev tokens off) is an {@link UnauthorizedError}, which stops the client; a
 * server error or no answer is a plain error, which the client retries.
 */
export async function issueDevToken(name: string): Promise<DevTokenResponse> {
  const res = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.ok) return (await res.json()) as DevTokenResponse;
  const body = (await res.json().catch(() => null)) as { message?: unknown } | null;
  const text = Array.isArray(body?.message) ? body.message.join(', ') : body?.message;
  const message = typeof text === 'string' ? text : `The server answered ${res.status}`;
  throw res.status < 500 ? new UnauthorizedError(message) : new Error(message);
}

/** The `exp` of a JWT in ms (not verified: the server does that), or `undefined`. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page's identity: a dev token for the chosen name, and the `getToken` of the client.
 *
 * A dev token is a new user every time, so the session keeps its token as long as it can and
 * gets a new one only when it must: the token is about to expire, or the server restarted with
 * a new random `JWT_SECRET` (its `bootId` changed and `tokensSurviveRestart` is false). While
 * the server cannot be reached `getToken` rejects, and the client retries with its backoff.
 */
export class DevTokenSession {
  private constructor(
    readonly name: string,
    private token: string,
    private current: ChatUser,
    private bootId: string,
    private readonly userChanged: (user: ChatUser) => void,
  ) {}

  /** Signs in as `name`; rejects with a readable message (bad name, dev tokens off, offline). */
  static async start(
    name: string,
    userChanged: (user: ChatUser) => void,
  ): Promise<DevTokenSession> {
    const config = await fetchPageConfig();
    const { token, user } = await issueDevToken(name);
    return new DevTokenSession(name, token, toChatUser(user), config.bootId, userChanged);
  }

  /** The signed-in user (it changes when the session had to get a new token). */
  get user(): ChatUser {
    return this.current;
  }

  /** The client's `getToken`. */
  readonly getToken = async (): Promise<string> => {
    const config = await fetchPageConfig();
    const expiry = expiryOf(this.token);
    const expiring = expiry !== undefined && expiry - Date.now() < EXPIRY_MARGIN_MS;
    const secretChanged = config.bootId !== this.bootId && !config.tokensSurviveRestart;
    if (!expiring && !secretChanged) return this.token;
    const { token, user } = await issueDevToken(this.name);
    this.token = token;
    this.bootId = config.bootId;
    if (user.id !== this.current.id) {
      this.current = toChatUser(user);
      this.userChanged(this.current);
    }
    return token;
  };
}

function toChatUser(user: DevTokenResponse['user']): ChatUser {
  return { id: user.id, name: user.name };
}
