import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  buildAsyncApi,
  type AsyncApiObject,
  type RealtimeAsyncApiOptions,
} from '../server/index.js';
import { loadDemoConfig } from './config/demo-config.js';

/**
 * The demo's `asyncapi` option: served on `/asyncapi.json` (not with `NODE_ENV=production`),
 * and the document that `npm run asyncapi` writes to `docs/asyncapi.json`.
 */
export const DEMO_ASYNCAPI: RealtimeAsyncApiOptions = {
  title: 'nestjs-realtime demo',
  version: '1.0.0',
  description:
    'The demo app of nestjs-realtime: chat rooms and direct messages, a live ticker and tic-tac-toe, all on one WebSocket path. Get a token with `POST /auth/dev-token` (development only).',
  servers: {
    local: { host: 'localhost:3000', protocol: 'ws', description: '`npm start` on this machine.' },
  },
};

/**
 * The demo's AsyncAPI document with the default configuration (the `WS_PATH`,
 * `RECOVERY_WINDOW_MS` and other settings of the environment are ignored), the same on every
 * machine: what `docs/asyncapi.json` holds. Boots an application context (no HTTP server).
 */
export async function demoAsyncApi(): Promise<AsyncApiObject> {
  // The gateways read WS_PATH when their modules load: import them with the default path.
  const wsPath = process.env['WS_PATH'];
  delete process.env['WS_PATH'];
  let app: INestApplicationContext | undefined;
  try {
    const { AppModule } = await import('./app.module.js');
    const config = { ...loadDemoConfig({}), jwtSecret: 'x'.repeat(32), devTokens: false };
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
    return buildAsyncApi(app);
  } finally {
    if (wsPath !== undefined) process.env['WS_PATH'] = wsPath;
    await app?.close();
  }
}
