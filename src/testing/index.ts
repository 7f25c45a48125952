export { ExpectationError, type ExpectOptions } from './inbox.js';
export {
  startRealtimeApp,
  type RunningRealtimeApp,
  type StartRealtimeAppOptions,
} from './start-realtime-app.js';
export { withRealtimeAdapter } from './with-realtime-adapter.js';
export {
  createTestClient,
  TestClient,
  type TestClientOptions,
  type TimedStateChange,
} from './test-client.js';
export {
  signExpiredTestToken,
  signShortLivedTestToken,
  signTestToken,
  type ShortLivedTestToken,
  type SignTestTokenOptions,
  type TestTokenAlgorithm,
  type TestTokenClaims,
} from './tokens.js';
