import type { MessageDelivery } from '../broker/delivery.js';
import type { ConnectionState } from '../connection/connection-state.js';
import type { Meter } from '../metrics/meter.js';
import type { PositionedDelivery } from '../recovery/stream-log.js';

/**
 * Writes a push to this instance's recipients, encoded once for all of them. A positioned push
 * to a connection that is resuming its session waits in the session's held pushes instead: the
 * replay of what it missed goes first; one that the replay held already is not written again.
 */
export function writeMessage(
  recipients: ReadonlySet<ConnectionState>,
  delivery: MessageDelivery,
  meter?: Meter,
): void {
  // Another instance's publication: its lag, when the metrics are on and its bus dated it.
  if (delivery.sentAt !== undefined) meter?.delivered(delivery.sentAt);
  if (recipients.size === 0) return;
  let frame: Buffer | undefined;
  for (const connection of recipients) {
    const session = connection.session;
    if (session && delivery.position) {
      if (session.held) {
        session.held.add(delivery as PositionedDelivery);
        continue;
      }
      if (session.replayed(delivery.position)) continue;
    }
    frame ??= Buffer.from(delivery.frame);
    if (delivery.latest !== undefined && delivery.position) {
      connection.writer.writeLatest(`${delivery.position.stream}\0${delivery.latest}`, frame);
    } else {
      connection.writer.write(frame, delivery.volatile);
    }
  }
}
