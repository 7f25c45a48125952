import 'reflect-metadata';
import { type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RealtimeAdapter } from '../server/index.js';
import { AppModule } from './app.module.js';
import type { DemoConfig } from './config/demo-config.js';
import { servePage, type PageDirs } from './page/serve-page.js';

export interface CreateDemoAppOptions {
  logger?: LoggerService | LogLevel[] | false;
  /** Where the web page and the SDK bundle are read from (default: `dist/` of this package). */
  page?: PageDirs;
}

/** Builds the demo app (not listening yet): used by `main.ts` and by the e2e tests. */
export async function createDemoApp(
  config: DemoConfig,
  options: CreateDemoAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  // GET / is the web page (built by `npm run build`).
  servePage(app, options.page);
  return app;
}
