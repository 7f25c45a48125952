import type { INestApplication } from '@nestjs/common';
import jwt, { type SignOptions } from 'jsonwebtoken';
import { loadDemoConfig, type DemoConfig } from '../../src/demo/config/demo-config.js';
import { createDemoApp } from '../../src/demo/create-app.js';
import { TestSocket, type ConnectOptions } from './ws-client.js';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface RunningApp {
  app: INestApplication;
  port: number;
  baseUrl: string;
  config: DemoConfig;
  /** A token from `POST /auth/dev-token`. */
  devToken(name?: string): Promise<{ token: string; user: { id: string; name: string } }>;
  /** Signs arbitrary claims with the app's secret (HS256 unless `options` says otherwise). */
  sign(claims: Record<string, unknown>, options?: SignOptions): string;
  /** Connects with a token for `sub` (a fresh dev-token user when omitted). */
  connect(options?: ConnectOptions & { sub?: string; name?: string }): Promise<TestSocket>;
  close(): Promise<void>;
}

/** Starts the demo app on port 0 with test defaults; `close()` tears everything down. */
export async function startDemo(overrides: Partial<DemoConfig> = {}): Promise<RunningApp> {
  const config: DemoConfig = {
    ...loadDemoConfig({ PORT: '0' }),
    jwtSecret: TEST_SECRET,
    jwtSecretGenerated: false,
    ...overrides,
  };
  const app = await createDemoApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const sign = (claims: Record<string, unknown>, options: SignOptions = {}) =>
    jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256', expiresIn: '1h', ...options });
  const running: RunningApp = {
    app,
    port: address.port,
    baseUrl,
    config,
    async devToken(name = 'alice') {
      const res = await fetch(`${baseUrl}/auth/dev-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (res.status !== 200) throw new Error(`dev-token answered ${res.status}`);
      return (await res.json()) as { token: string; user: { id: string; name: string } };
    },
    sign,
    async connect(options = {}) {
      const token =
        options.token ??
        (options.sub
          ? sign({ sub: options.sub, name: options.name ?? options.sub })
          : (await running.devToken(options.name)).token);
      return TestSocket.connect(baseUrl, { ...options, token });
    },
    close: () => app.close(),
  };
  return running;
}
