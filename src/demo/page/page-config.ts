/**
 * What the web page asks the demo before it connects (`GET /page-config.json`). Plain types
 * only: the browser imports this file too.
 */
export interface PageConfig {
  /** The gateways' path (`WS_PATH`). */
  wsPath: string;
  /** Whether `POST /auth/dev-token` exists (off in production). */
  devTokens: boolean;
  /** Random per boot of the app: tells the page that the server restarted. */
  bootId: string;
  /**
   * Whether a token issued before a restart is still valid after it: false when `JWT_SECRET` is
   * random per boot, so the page must get a new token (a new user) after a restart.
   */
  tokensSurviveRestart: boolean;
}
