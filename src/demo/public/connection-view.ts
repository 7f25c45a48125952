import { CloseCode, type ClientState, type StateChange } from '../../client/index.js';
import { byId } from './dom.js';

const LABELS: Readonly<Record<ClientState, string>> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** Meanings of the close codes a user of the demo is likely to see. */
const CLOSE_CODES: Readonly<Record<number, string>> = {
  [CloseCode.NORMAL]: 'closed',
  [CloseCode.GOING_AWAY]: 'server going away',
  [CloseCode.ABNORMAL]: 'connection lost',
  [CloseCode.POLICY_VIOLATION]: 'policy violation',
  [CloseCode.MESSAGE_TOO_BIG]: 'message too big',
  [CloseCode.INTERNAL_ERROR]: 'server error',
  [CloseCode.SERVICE_RESTART]: 'server restarting',
  [CloseCode.TRY_AGAIN_LATER]: 'try again later',
  [CloseCode.TOKEN_EXPIRED]: 'token expired',
  [CloseCode.SLOW_CONSUMER]: 'too slow',
  [CloseCode.RATE_EXCEEDED]: 'too many messages',
  [CloseCode.REVOKED]: 'access revoked',
};

/** `1001 server going away: Server shutting down`, `AUTH_FAILED: ...`. */
export function describeChange({ code, reason }: StateChange): string {
  const meaning = typeof code === 'number' ? CLOSE_CODES[code] : undefined;
  const head = meaning ? `${code} ${meaning}` : String(code);
  const generic = !reason || reason === `Closed with ${code}`;
  return generic ? head : `${head}: ${reason}`;
}

/** The connection badge of the header: state, and the close code and reason when not open. */
export class ConnectionView {
  private readonly root = byId('connection', HTMLElement);
  private readonly label = byId('connection-label', HTMLElement);
  private readonly reason = byId('connection-reason', HTMLElement);
  private readonly reconnect = byId('reconnect', HTMLButtonElement);

  constructor(onReconnect: () => void) {
    this.reconnect.addEventListener('click', onReconnect);
  }

  /** Shows a state change of the client. */
  show(change: StateChange): void {
    this.root.dataset['state'] = change.state;
    this.label.textContent = LABELS[change.state];
    const showReason = change.state === 'reconnecting' || change.state === 'closed';
    this.reason.textContent = showReason ? describeChange(change) : '';
    this.root.title = `${LABELS[change.state]} (${describeChange(change)})`;
    this.reconnect.hidden = change.state !== 'closed';
  }

  /** Back to "signed out" (no client). */
  reset(): void {
    this.root.dataset['state'] = 'signed-out';
    this.label.textContent = 'Signed out';
    this.reason.textContent = '';
    this.root.title = '';
    this.reconnect.hidden = true;
  }
}
