import { randomBytes } from 'node:crypto';

/** The demo's configuration (see `.env.example` and the README). */
export interface DemoConfig {
  port: number;
  wsPath: string;
  jwtSecret: string;
  /** True when no JWT_SECRET was given and one was generated for this boot. */
  jwtSecretGenerated: boolean;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  allowedOrigins: string[];
  maxPayloadBytes: number;
  heartbeatIntervalMs: number;
  devTokens: boolean;
  redisUrl: string | undefined;
  /** Seed nodes of a Redis Cluster (`REDIS_CLUSTER`, comma-separated), instead of `redisUrl`. */
  redisCluster: string[] | undefined;
  redisPresenceTtlMs: number;
  tickerIntervalMs: number;
  shutdownDrainMs: number;
  /** How long a dropped client may resume its session and get what it missed; 0: recovery off. */
  recoveryWindowMs: number;
  /** Messages (and joins/leaves) kept per chat room for recovery. */
  chatHistory: number;
  /** Prometheus metrics on `GET /metrics`. */
  metrics: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export class DemoConfigError extends Error {
  constructor(message: string) {
    super(`Configuration: ${message}`);
    this.name = 'DemoConfigError';
  }
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new DemoConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new DemoConfigError(`${name} must be true or false, got "${env[name]}".`);
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

/** `REDIS_URL` (one Redis) or `REDIS_CLUSTER` (seed nodes of a Redis Cluster), not both. */
function redisFrom(env: Env): Pick<DemoConfig, 'redisUrl' | 'redisCluster'> {
  const redisUrl = optional(env, 'REDIS_URL');
  const seeds = optional(env, 'REDIS_CLUSTER')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (redisUrl && seeds) {
    throw new DemoConfigError('Set REDIS_URL or REDIS_CLUSTER, not both.');
  }
  return { redisUrl, redisCluster: seeds?.length ? seeds : undefined };
}

/** The WebSocket path; read at import time because gateway decorators need it. */
export function wsPathFrom(env: Env): string {
  const path = optional(env, 'WS_PATH') ?? '/ws';
  if (!/^\/[\w\-./]*$/.test(path)) {
    throw new DemoConfigError(`WS_PATH must be a URL path such as /ws, got "${path}".`);
  }
  return path;
}

/** Reads the demo's configuration from environment variables, with the documented defaults. */
export function loadDemoConfig(env: Env = process.env): DemoConfig {
  const production = env['NODE_ENV'] === 'production';
  const port = int(env, 'PORT', 3000, 0, 65535);
  const secret = optional(env, 'JWT_SECRET');
  if (!secret && production) {
    throw new DemoConfigError('JWT_SECRET is required when NODE_ENV=production.');
  }
  const origins = optional(env, 'ALLOWED_ORIGINS');
  const devTokens = flag(env, 'DEV_TOKENS', !production);
  return {
    port,
    wsPath: wsPathFrom(env),
    jwtSecret: secret ?? randomBytes(48).toString('base64'),
    jwtSecretGenerated: !secret,
    jwtIssuer: optional(env, 'JWT_ISSUER'),
    jwtAudience: optional(env, 'JWT_AUDIENCE'),
    allowedOrigins: origins
      ? origins
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean)
      : [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
    maxPayloadBytes: int(env, 'MAX_PAYLOAD_BYTES', 65536, 256, 16 * 1024 * 1024),
    heartbeatIntervalMs: int(env, 'HEARTBEAT_INTERVAL_MS', 30000, 1000, 3_600_000),
    devTokens,
    ...redisFrom(env),
    redisPresenceTtlMs: int(env, 'REDIS_PRESENCE_TTL_MS', 15000, 300, 3_600_000),
    tickerIntervalMs: int(env, 'TICKER_INTERVAL_MS', 500, 50, 3_600_000),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', 10000, 0, 600_000),
    recoveryWindowMs: int(env, 'RECOVERY_WINDOW_MS', 120_000, 0, 86_400_000),
    chatHistory: int(env, 'CHAT_HISTORY', 500, 0, 100_000),
    metrics: flag(env, 'METRICS', true),
  };
}
