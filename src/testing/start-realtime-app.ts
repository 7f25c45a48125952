import type { DynamicModule, INestApplication, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AnyContract, RealtimeContract } from '../protocol/index.js';
import { ConnectionRegistry } from '../server/index.js';
import { withRealtimeAdapter } from './with-realtime-adapter.js';

/** Options of {@link startRealtimeApp}. */
export interface StartRealtimeAppOptions {
  /**
   * The port to listen on; give the port of an app you closed to restart "the same server".
   * @default 0 (a free port)
   */
  port?: number;
  /**
   * The interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Nest's logger option.
   * @default false (tests stay quiet)
   */
  logger?: NestApplicationOptions['logger'];
  /**
   * Runs after `RealtimeAdapter` is set and before `listen()`: global pipes, filters, CORS, or
   * `app.useWebSocketAdapter()` with your own subclass of `RealtimeAdapter`.
   */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/** An app started by {@link startRealtimeApp}. */
export interface RunningRealtimeApp {
  readonly app: INestApplication;
  /** The port it listens on (the one the OS picked for port 0). */
  readonly port: number;
  /** Its HTTP base URL, e.g. `http://127.0.0.1:39123`. */
  readonly url: string;
  /** The WebSocket URL of a gateway path, e.g. `ws://127.0.0.1:39123/ws`. */
  wsUrl(path?: string): string;
  /** The app's `ConnectionRegistry` (to find, message or disconnect connections from a test). */
  registry<C extends RealtimeContract = AnyContract>(): ConnectionRegistry<C>;
  /**
   * `app.close()`: open sockets get close 1001 within the module's `shutdown.drainMs`, then the
   * port is free. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** The host as it goes in a URL: a wildcard address is reached on loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a Nest app for an e2e test: `module` (your `AppModule`, or any module that imports
 * `RealtimeModule.forRoot()`) with `RealtimeAdapter`, listening on `127.0.0.1` and a free port.
 *
 * ```ts
 * const server = await startRealtimeApp(AppModule.forRoot(config));
 * const client = await createTestClient<MyContract>(server.wsUrl('/ws'), { token });
 * // ...
 * await client.close();
 * await server.close();
 * ```
 */
export async function startRealtimeApp(
  module: Type<unknown> | DynamicModule,
  options: StartRealtimeAppOptions = {},
): Promise<RunningRealtimeApp> {
  const { port = 0, host = '127.0.0.1', logger = false, configure } = options;
  const app = await NestFactory.create(module, { logger });
  try {
    withRealtimeAdapter(app);
    await configure?.(app);
    await app.listen(port, host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  const base = `${urlHost(host)}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    app,
    port: address.port,
    url: `http://${base}`,
    wsUrl: (path = '/ws') => `ws://${base}${path.startsWith('/') ? path : `/${path}`}`,
    registry: <C extends RealtimeContract = AnyContract>() =>
      app.get(ConnectionRegistry, { strict: false }) as ConnectionRegistry<C>,
    close: () => (closing ??= app.close()),
  };
}
