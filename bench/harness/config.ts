/** The loads of a full run and of a smoke run (`--quick`). */
export const FULL = {
  reps: 3,
  reqrep: { connections: 100, inFlight: 8 },
  broadcastSizes: [10_000, 1_000],
  broadcastWindow: 2,
  memoryConnections: 10_000,
  warmConnections: 200,
  handshakeConcurrency: 32,
  redisSubscribers: 1_000,
  /** Instance counts, and subscribers per instance (each process has 20 000 descriptors). */
  scaleout: { instances: [1, 2, 4], subscribers: 100 },
  timing: { warmupMs: 1_000, measureMs: 3_000, attempts: 3, quietWaitMs: 20_000 },
  settleMs: 1_000,
  /** Rounds of windows of the floor and the module loaded at the same time (side-by-side.ts). */
  sideBySide: {
    rounds: 25,
    /** Fresh server processes for each fifth of the rounds (see side-by-side.ts). */
    starts: 5,
    timing: { warmupMs: 300, measureMs: 1_000, attempts: 1, quietWaitMs: 0 },
  },
};

export const QUICK: typeof FULL = {
  reps: 1,
  reqrep: { connections: 20, inFlight: 8 },
  broadcastSizes: [100, 50],
  broadcastWindow: 2,
  memoryConnections: 100,
  warmConnections: 20,
  handshakeConcurrency: 8,
  redisSubscribers: 100,
  scaleout: { instances: [1, 2, 4], subscribers: 10 },
  timing: { warmupMs: 50, measureMs: 150, attempts: 1, quietWaitMs: 0 },
  settleMs: 50,
  sideBySide: {
    rounds: 1,
    starts: 1,
    timing: { warmupMs: 50, measureMs: 150, attempts: 1, quietWaitMs: 0 },
  },
};
