import { InProcessBroker, InProcessHub } from '../../src/server/index.js';
import { describeBrokerConformance } from './broker-conformance.js';

// The in-process broker, with the instances of a test on one hub (the default gives each its own).
describeBrokerConformance('in-process', () => {
  const hub = new InProcessHub();
  return Promise.resolve({
    instance: () => {
      const { bus, presence } = new InProcessBroker(hub);
      return { bus, presence, ready: () => Promise.resolve() };
    },
    losePresence: () => Promise.resolve(hub.clear()),
    close: () => Promise.resolve(),
  });
});
