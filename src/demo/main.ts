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
  app.enableShutdownHooks();
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
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
