import type { ClientState, StateChange } from '../../client/index.js';
import { byId } from './dom.js';

const LABELS: Readonly<Record<ClientState, string>> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

/** Meanings of the close codes a user of the demo is likely to see. */
const CLOSE_CODES: Readonly<Record<number, string>> = {
  1000: 'closed',
  1001: 'server going away',
  1006: 'connection lost',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'server error',
  1012: 'server restarting',
  1013: 'try again later',
  4401: 'token expired',
  4408: 'too slow',
  4429: 'too many messages',
  4500: 'access revoked',
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
