import type { INestApplication } from '@nestjs/common';
import { RealtimeAdapter } from '../server/index.js';

/**
 * Gives a test app the adapter its `@RealtimeGateway`s need, in one line. Without it, an app
 * built by `Test.createTestingModule(...)` fails at `init()` with Nest's "No driver
 * (WebSockets) has been selected", because `main.ts` (where the app sets the adapter) does not
 * run in tests.
 *
 * ```ts
 * const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
 * app = withRealtimeAdapter(moduleRef.createNestApplication());
 * await app.init();
 * ```
 */
export function withRealtimeAdapter<T extends INestApplication>(app: T): T {
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  return app;
}
