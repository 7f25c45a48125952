import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import {
  ConnectionRegistry,
  RealtimeAdapter,
  RealtimeGateway,
  RealtimeModule,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import { TEST_SECRET } from '../support/demo-app.js';

@RealtimeGateway('/ws')
class FirstGateway {
  @SubscribeMessage('shared:event')
  handle(): string {
    return 'first';
  }
}

@RealtimeGateway({ path: '/ws/' })
class DuplicateGateway {
  @SubscribeMessage('shared:event')
  handle(): string {
    return 'second';
  }
}

@RealtimeGateway('/other')
class OtherPathGateway {
  @SubscribeMessage('shared:event')
  handle(): string {
    return 'other path';
  }
}

@WebSocketGateway({ path: '/ws' })
class StockGateway {
  @SubscribeMessage('stock:event')
  handle(): string {
    return 'stock';
  }
}

@RealtimeGateway('/ws')
class ReservedGateway {
  @SubscribeMessage('$ping')
  handle(): string {
    return 'mine';
  }
}

/** Builds and initializes an app; resolves with the boot error, if any. */
async function boot(
  gateways: Type[],
  options: RealtimeModuleOptions = { jwt: { secret: TEST_SECRET } },
  withModule = true,
): Promise<Error | undefined> {
  @Module({
    imports: withModule ? [RealtimeModule.forRoot(options)] : [],
    providers: gateways,
  })
  class BootModule {}
  let app;
  try {
    app = await NestFactory.create(BootModule, { logger: false, abortOnError: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.init();
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    await app?.close().catch(() => undefined);
  }
}

describe('boot-time checks', () => {
  it('accepts one event name on two different paths', async () => {
    expect(await boot([FirstGateway, OtherPathGateway])).toBeUndefined();
  });

  it('fails when two gateways on one path handle the same event', async () => {
    const error = await boot([FirstGateway, DuplicateGateway]);
    expect(error?.message).toMatch(
      /event "shared:event" on path \/ws is handled by both FirstGateway\.handle and DuplicateGateway\.handle/,
    );
  });

  it('fails when a plain @WebSocketGateway and a @RealtimeGateway share a path', async () => {
    const error = await boot([FirstGateway, StockGateway]);
    expect(error?.message).toMatch(
      /a plain @WebSocketGateway\(\) and a @RealtimeGateway\(\) are both on "\/ws"/,
    );
  });

  it('fails for a handler of a reserved $ event', async () => {
    const error = await boot([ReservedGateway]);
    expect(error?.message).toMatch(/"\$ping" starts with "\$", which is reserved/);
  });

  it('fails with a fix when no JWT key is configured', async () => {
    const error = await boot([FirstGateway], {});
    expect(error?.message).toMatch(/no JWT key configured\. Set "jwt\.secret"/);
  });

  it('fails with a fix when RealtimeModule is not imported', async () => {
    const error = await boot([FirstGateway], {}, false);
    expect(error?.message).toMatch(/import RealtimeModule\.forRoot/);
  });
});

describe('another WebSocket adapter serving realtime gateways', () => {
  @Module({
    imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET } })],
    providers: [FirstGateway],
  })
  class RealtimeAppModule {}

  it.each([
    ['stock WsAdapter', (app: INestApplication) => app.useWebSocketAdapter(new WsAdapter(app))],
    ["Nest's default (socket.io, when installed)", () => undefined],
  ])('%s: the app refuses to start and says how to fix it', async (_name, configure) => {
    const app = await NestFactory.create(RealtimeAppModule, { logger: false });
    try {
      configure(app);
      await expect(app.init()).rejects.toThrow(
        /need RealtimeAdapter, but another WebSocket adapter serves them.*withRealtimeAdapter/,
      );
    } finally {
      await app.close().catch(() => undefined);
    }
  });

  it('leaves a standalone application context alone (no HTTP server, no gateway served)', async () => {
    const context = await NestFactory.createApplicationContext(RealtimeAppModule, {
      logger: false,
    });
    expect(context.get(ConnectionRegistry).size).toBe(0);
    await context.close();
  });
});

describe('forRootAsync', () => {
  it('resolves options from a factory and validates them', async () => {
    @Module({
      imports: [
        RealtimeModule.forRootAsync({
          useFactory: () => Promise.resolve({ jwt: { secret: TEST_SECRET } }),
        }),
      ],
      providers: [FirstGateway],
    })
    class AsyncModule {}
    const app = await NestFactory.create(AsyncModule, { logger: false });
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.init();
    expect(app.get(ConnectionRegistry).size).toBe(0);
    await app.close();

    @Module({
      imports: [RealtimeModule.forRootAsync({ useFactory: () => ({ jwt: { secret: 'short' } }) })],
    })
    class BadAsyncModule {}
    await expect(
      NestFactory.create(BadAsyncModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/shorter than 32 characters/);
  });
});
