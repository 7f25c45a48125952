import 'reflect-metadata';
import { type INestApplication, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RealtimeAdapter } from '../server/index.js';
import { AppModule } from './app.module.js';
import type { DemoConfig } from './config/demo-config.js';

export interface CreateDemoAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/** Builds the demo app (not listening yet): used by `main.ts` and by the e2e tests. */
export async function createDemoApp(
  config: DemoConfig,
  options: CreateDemoAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  return app;
}
