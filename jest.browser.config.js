/**
 * Browser tests (`npm run test:browser`): the demo page in headless Chromium, driven by
 * playwright-core. Chromium comes from the system (Debian: apt-get install -y chromium);
 * CHROMIUM_PATH overrides /usr/bin/chromium.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser-spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // One browser at a time: the scenarios time real sockets and ticks.
  maxWorkers: 1,
  testTimeout: 60000,
};
