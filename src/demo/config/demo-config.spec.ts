import { DemoConfigError, loadDemoConfig } from './demo-config.js';
import { demoRecovery } from './demo-recovery.js';

describe('loadDemoConfig', () => {
  it('starts with no environment at all, with the documented defaults', () => {
    const config = loadDemoConfig({});
    expect(config).toMatchObject({
      port: 3000,
      wsPath: '/ws',
      jwtSecretGenerated: true,
      jwtIssuer: undefined,
      jwtAudience: undefined,
      allowedOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      maxPayloadBytes: 65536,
      heartbeatIntervalMs: 30000,
      devTokens: true,
      redisUrl: undefined,
      redisCluster: undefined,
      tickerIntervalMs: 500,
      shutdownDrainMs: 10000,
      recoveryWindowMs: 120000,
      chatHistory: 500,
      metrics: true,
    });
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadDemoConfig({}).jwtSecret).not.toBe(config.jwtSecret);
  });

  it('reads every variable', () => {
    const config = loadDemoConfig({
      PORT: '8080',
      WS_PATH: '/live',
      JWT_SECRET: 's'.repeat(40),
      JWT_ISSUER: 'iss',
      JWT_AUDIENCE: 'aud',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      MAX_PAYLOAD_BYTES: '1024',
      HEARTBEAT_INTERVAL_MS: '5000',
      DEV_TOKENS: 'off',
      REDIS_URL: 'redis://127.0.0.1:6379',
      TICKER_INTERVAL_MS: '100',
      SHUTDOWN_DRAIN_MS: '0',
      RECOVERY_WINDOW_MS: '30000',
      CHAT_HISTORY: '20',
      METRICS: 'off',
    });
    expect(config).toMatchObject({
      port: 8080,
      wsPath: '/live',
      jwtSecret: 's'.repeat(40),
      jwtSecretGenerated: false,
      jwtIssuer: 'iss',
      jwtAudience: 'aud',
      allowedOrigins: ['https://a.example', 'https://b.example'],
      maxPayloadBytes: 1024,
      heartbeatIntervalMs: 5000,
      devTokens: false,
      redisUrl: 'redis://127.0.0.1:6379',
      tickerIntervalMs: 100,
      shutdownDrainMs: 0,
      recoveryWindowMs: 30000,
      chatHistory: 20,
      metrics: false,
    });
  });

  it('turns recovery on by default, keeps CHAT_HISTORY per chat room, and 0 turns it off', () => {
    expect(demoRecovery(loadDemoConfig({ CHAT_HISTORY: '7' }))).toEqual({
      windowMs: 120000,
      streams: [
        { match: 'room:chat:*', size: 7 },
        { match: 'room:ticker:*', conflate: true, size: 1 },
      ],
    });
    expect(demoRecovery(loadDemoConfig({ RECOVERY_WINDOW_MS: '0' }))).toBeUndefined();
  });

  it('reads the seed nodes of a Redis Cluster, and refuses both kinds of Redis at once', () => {
    const seeds = 'redis://10.0.0.1:7000, redis://10.0.0.2:7000';
    expect(loadDemoConfig({ REDIS_CLUSTER: seeds })).toMatchObject({
      redisUrl: undefined,
      redisCluster: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'],
    });
    expect(() =>
      loadDemoConfig({ REDIS_CLUSTER: seeds, REDIS_URL: 'redis://127.0.0.1:6379' }),
    ).toThrow(/REDIS_URL or REDIS_CLUSTER/);
  });

  it('is strict in production: a secret is required and dev tokens are off', () => {
    expect(() => loadDemoConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    const config = loadDemoConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40) });
    expect(config.devTokens).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT must be an integer/],
    [{ MAX_PAYLOAD_BYTES: '-5' }, /MAX_PAYLOAD_BYTES must be an integer from 256/],
    [{ DEV_TOKENS: 'maybe' }, /DEV_TOKENS must be true or false/],
    [{ WS_PATH: 'ws path' }, /WS_PATH must be a URL path/],
    [{ RECOVERY_WINDOW_MS: '-1' }, /RECOVERY_WINDOW_MS must be an integer from 0/],
    [{ CHAT_HISTORY: 'lots' }, /CHAT_HISTORY must be an integer from 0/],
  ])('explains a bad value: %j', (env, message) => {
    expect(() => loadDemoConfig(env)).toThrow(DemoConfigError);
    expect(() => loadDemoConfig(env)).toThrow(message);
  });
});
