import { InProcessSessionStore } from '../../recovery/in-process.session-store.js';
import { InProcessStreamLog } from '../../recovery/in-process.stream-log.js';
import { RealtimeBroker } from '../realtime-broker.js';
import { InProcessHub } from './in-process-hub.js';
import { InProcessBus } from './in-process.bus.js';
import { InProcessPresenceStore } from './in-process.presence-store.js';

/**
 * The default broker: an in-process bus and presence store on a hub of their own, so a single
 * instance serves everything itself and nothing crosses. Instances in one process that should
 * act as one (tests, workers) are given the same `InProcessHub`.
 */
export class InProcessBroker extends RealtimeBroker {
  constructor(readonly hub = new InProcessHub()) {
    super(
      new InProcessBus(hub),
      new InProcessPresenceStore(hub),
      new InProcessStreamLog(hub),
      new InProcessSessionStore(hub),
    );
  }
}
