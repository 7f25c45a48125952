import { execFileSync } from 'node:child_process';

/** Whether `redis-server` can be started here (the scale-out suite starts its own). */
function hasRedisServer() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const redis = hasRedisServer();
if (!redis) {
  if (process.env.REQUIRE_REDIS === '1') {
    throw new Error(
      'REQUIRE_REDIS=1 but redis-server is not installed (apt-get install redis-server).',
    );
  }
  console.warn(
    '\n*** The Redis scale-out suite (*.redis-spec.ts) was NOT run: redis-server is not installed.\n' +
      '*** Install it (Debian: apt-get install -y redis-server) and run `npm test` again.\n',
  );
}

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts', ...(redis ? ['**/*.redis-spec.ts'] : [])],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 15000,
};
