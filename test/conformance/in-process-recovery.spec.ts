import { InProcessBroker, InProcessHub } from '../../src/server/index.js';
import { InProcessSessionStore } from '../../src/server/recovery/in-process.session-store.js';
import { describeSessionStoreConformance } from './session-store-conformance.js';
import { describeStreamLogConformance } from './stream-log-conformance.js';

// The in-process stream log and session store, the instances of a test on one hub.
describeStreamLogConformance('in-process', () => {
  const hub = new InProcessHub();
  return Promise.resolve({
    instance: () => {
      const { bus, log } = new InProcessBroker(hub);
      return { bus, log, ready: () => Promise.resolve() };
    },
    lose: () => Promise.resolve(hub.clear()),
    close: () => Promise.resolve(),
  });
});

// On a clock of the test's own, which expiry moves.
describeSessionStoreConformance('in-process', () => {
  const hub = new InProcessHub();
  let now = 1_000;
  return Promise.resolve({
    instance: () => {
      const store = new InProcessSessionStore(hub, 100_000, () => now);
      return { store, start: () => store.start(), stop: () => store.stop() };
    },
    expire: (_id: string, ttlMs: number) => Promise.resolve(void (now += ttlMs)),
    close: () => Promise.resolve(),
  });
});
