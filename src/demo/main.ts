import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { loadDemoConfig } from './config/demo-config.js';

async function main(): Promise<void> {
  const logger = new Logger('Demo');
  // Values already in the environment win over .env (process.loadEnvFile does not override).
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadDemoConfig();
  // Imported after .env is loaded: the gateway decorators read WS_PATH when their module loads.
  const { createDemoApp } = await import('./create-app.js');
  if (config.jwtSecretGenerated) {
    logger.warn(
      'JWT_SECRET is not set: using a random secret for this boot (tokens die with the process).',
    );
  }
  const app = await createDemoApp(config);
  await app.listen(config.port);
  // Not enableShutdownHooks(): Nest re-raises the signal after closing, so the exit status would
  // be 143. Here SIGTERM drains (clients see 1001) and the process exits 0.
  const shutdown = (signal: string) => {
    logger.log(`${signal}: draining connections`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://localhost:${port}`;
  logger.log(`Demo on ${url}, WebSocket path ${config.wsPath}`);
  if (config.devTokens)
    logger.log(
      `Get a token: curl -X POST -H 'content-type: application/json' -d '{"name":"alice"}' ${url}/auth/dev-token`,
    );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
