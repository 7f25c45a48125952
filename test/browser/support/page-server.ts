import type { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { loadDemoConfig, type DemoConfig } from '../../../src/demo/config/demo-config.js';
import { createDemoApp } from '../../../src/demo/create-app.js';
import { TEST_SECRET } from '../../support/demo-app.js';

/** The demo app serving the page, on a fixed port so that it can be restarted in place. */
export interface PageServer {
  port: number;
  /** The page's origin, which is on the app's `allowedOrigins`. */
  baseUrl: string;
  app: INestApplication;
  /** Closes the app (clients see 1001) and waits until it is down. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the demo app on `127.0.0.1:port` (a free port when omitted), with the test secret and
 * a fast ticker. Its allowed origins are the default ones of that port, so the page's origin
 * `http://127.0.0.1:port` may open WebSockets.
 */
export async function startPageServer(
  port?: number,
  overrides: Partial<DemoConfig> = {},
): Promise<PageServer> {
  const chosen = port ?? (await freePort());
  const config: DemoConfig = {
    ...loadDemoConfig({ PORT: String(chosen), TICKER_INTERVAL_MS: '200' }),
    jwtSecret: TEST_SECRET,
    jwtSecretGenerated: false,
    shutdownDrainMs: 2000,
    ...overrides,
  };
  const app = await createDemoApp(config, { logger: false });
  // One request per HTTP connection: app.close() waits for every connection to end, and a
  // request of the page in flight when it closes (its /page-config.json, asked again before
  // each reconnect while the sockets drain) would otherwise leave a keep-alive connection that
  // Chromium holds open, and the stop would hang until the test's tabs close.
  (app.getHttpServer() as Server).maxRequestsPerSocket = 1;
  await app.listen(chosen, '127.0.0.1');
  return {
    port: chosen,
    baseUrl: `http://127.0.0.1:${chosen}`,
    app,
    stop: () => app.close(),
  };
}
