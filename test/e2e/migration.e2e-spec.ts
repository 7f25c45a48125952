import {
  Catch,
  type ArgumentsHost,
  Module,
  UseFilters,
  UsePipes,
  ValidationPipe,
  type ExceptionFilter,
} from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway, WsException } from '@nestjs/websockets';
import { once } from 'node:events';
import WebSocket from 'ws';
import { IsString } from 'class-validator';
import {
  RealtimeAdapter,
  RealtimeException,
  RealtimeGateway,
  RealtimeModule,
} from '../../src/server/index.js';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
} from '../../src/testing/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { expectRefused } from '../support/ws-client.js';

/** Issue 11: what a gateway written for stock Nest keeps when it moves to @RealtimeGateway. */

class Plain {
  // A type annotation with no class-validator rule: stock Nest passes the payload as it came.
  text!: string;
  extra?: unknown;
}

class Strict {
  @IsString()
  text!: string;
}

class StrictWithExtra extends Strict {
  extra?: string;
}

class Oops extends Error {}

/** A filter that handles an error by answering with a coded one. */
@Catch(Oops)
class OopsFilter implements ExceptionFilter {
  catch(): never {
    throw new RealtimeException('HANDLED_BY_APP', 'The app handled it');
  }
}

/** A filter that handles errors the stock way (an `exception` event) and does not rethrow. */
@Catch()
class StockStyleFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<{ send(data: string): void }>();
    const message = exception instanceof Error ? exception.message : 'error';
    client.send(JSON.stringify({ event: 'exception', data: { status: 'error', message } }));
  }
}

@UseFilters(OopsFilter)
@RealtimeGateway('/migrated')
class FilterAboveGateway {
  @UseFilters(StockStyleFilter)
  @SubscribeMessage('handled')
  handled(@MessageBody() kind: string): never {
    if (kind === 'coded') throw new RealtimeException('TEAPOT', 'I am a teapot');
    throw new Error('db down');
  }

  @SubscribeMessage('plain')
  plain(@MessageBody() body: Plain): Plain {
    return body;
  }

  @SubscribeMessage('ws-exception')
  wsException(): never {
    throw new WsException({ status: 'error', message: 'Invalid credentials.' });
  }

  @SubscribeMessage('oops')
  oops(): never {
    throw new Oops('raw');
  }

  @UsePipes(
    new ValidationPipe({
      whitelist: false,
      exceptionFactory: () => new RealtimeException('APP_VALIDATION', 'The app said no'),
    }),
  )
  @SubscribeMessage('own-pipe')
  ownPipe(@MessageBody() body: StrictWithExtra): unknown {
    return body;
  }

  @SubscribeMessage('fire')
  fire(): string {
    return 'nobody will see this';
  }
}

@RealtimeGateway('/below')
@UseFilters(OopsFilter)
class FilterBelowGateway {
  @SubscribeMessage('oops-below')
  oops(): never {
    throw new Oops('raw');
  }
}

@Module({
  imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET }, shutdown: { drainMs: 200 } })],
  providers: [FilterAboveGateway, FilterBelowGateway],
})
class MigratedModule {}

describe('a stock gateway moved to @RealtimeGateway', () => {
  const logger = new CapturingLogger();
  let server: RunningRealtimeApp;
  const token = signTestToken(TEST_SECRET, { sub: 'migrant' });
  beforeAll(async () => {
    server = await startRealtimeApp(MigratedModule, { logger });
  });
  afterAll(() => server.close());

  it('passes a payload typed by a class without validators through as it came', async () => {
    const client = await createTestClient(server.wsUrl('/migrated'), { token });
    const payload = { text: 'hi', extra: { kept: true } };
    await expect(client.request('plain', payload)).resolves.toEqual(payload);
    await client.close();
  });

  it('keeps the message of a WsException({status, message})', async () => {
    const client = await createTestClient(server.wsUrl('/migrated'), { token });
    await expect(client.request('ws-exception')).rejects.toMatchObject({
      code: 'ERROR',
      message: 'Invalid credentials.',
    });
    await client.close();
  });

  it('runs class-level filters written above or below @RealtimeGateway', async () => {
    const client = await createTestClient(server.wsUrl('/migrated'), { token });
    await expect(client.request('oops')).rejects.toMatchObject({ code: 'HANDLED_BY_APP' });
    const below = await createTestClient(server.wsUrl('/below'), { token });
    await expect(below.request('oops-below')).rejects.toMatchObject({ code: 'HANDLED_BY_APP' });
    await client.close();
    await below.close();
  });

  it('still answers a request with an error when an app filter handled it without rethrowing', async () => {
    const client = await createTestClient(server.wsUrl('/migrated'), { token });
    await expect(client.request('handled', 'coded')).rejects.toMatchObject({
      code: 'TEAPOT',
      message: 'I am a teapot',
    });
    await expect(client.request('handled', 'raw')).rejects.toMatchObject({ code: 'INTERNAL' });
    // The filter's own stock-style event was sent too.
    await expect(client.expectPush('exception')).resolves.toMatchObject({ status: 'error' });
    await client.close();
  });

  it("lets the app's own ValidationPipe decide alone (its exceptionFactory, whitelist: false)", async () => {
    const client = await createTestClient(server.wsUrl('/migrated'), { token });
    await expect(client.request('own-pipe', { text: 1 })).rejects.toMatchObject({
      code: 'APP_VALIDATION',
    });
    await expect(client.request('own-pipe', { text: 'ok', extra: 'kept' })).resolves.toEqual({
      text: 'ok',
      extra: 'kept',
    });
    await client.close();
  });

  it('says once in the log that a value returned to a message without id went nowhere', async () => {
    const client = await createTestClient(server.wsUrl('/migrated'), { token });
    client.emit('fire');
    client.emit('fire');
    // A request after the events: its reply proves both were handled.
    await client.request('$ping');
    const warnings = logger.lines.filter((line) => line.includes('"fire" returned a value'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warn /);
    await client.close();
  });
});

describe('what the adapter refuses at boot, with a message that says how to fix it', () => {
  it('a class-level ValidationPipe above @RealtimeGateway', async () => {
    @UsePipes(new ValidationPipe())
    @RealtimeGateway('/shadowed')
    class Shadowed {
      @SubscribeMessage('x')
      x(@MessageBody() body: Strict): Strict {
        return body;
      }
    }
    @Module({
      imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET } })],
      providers: [Shadowed],
    })
    class ShadowedModule {}
    await expect(startRealtimeApp(ShadowedModule)).rejects.toThrow(
      /move it below @RealtimeGateway/,
    );
  });
});

/** A stock gateway left as it was, beside a realtime one, under RealtimeAdapter. */
@WebSocketGateway({ path: '/legacy' })
class LegacyGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): unknown {
    return { event: 'echoed', data };
  }
}

@Module({
  imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET }, shutdown: { drainMs: 200 } })],
  providers: [LegacyGateway, FilterBelowGateway],
})
class MixedModule {}

/** Opens a plain `ws` socket and resolves with the first frame it receives after `send`. */
async function firstReply(url: string, send: string): Promise<string> {
  const socket = new WebSocket(url);
  await once(socket, 'open');
  socket.send(send);
  const [data] = (await once(socket, 'message')) as [Buffer];
  socket.close();
  return data.toString();
}

describe('plain @WebSocketGateway classes under RealtimeAdapter', () => {
  let server: RunningRealtimeApp;
  beforeAll(async () => {
    server = await startRealtimeApp(MixedModule, {
      configure: (app) => {
        // Applies to the plain gateways (stock semantics); realtime ones speak realtime.v1.
        const adapter = new RealtimeAdapter(app);
        adapter.setMessageParser((data) => {
          const text = data.toString();
          return text.startsWith('{') ? JSON.parse(text) : { event: 'echo', data: text };
        });
        app.useWebSocketAdapter(adapter);
      },
    });
  });
  afterAll(() => server.close());

  it('keep stock semantics on their path: no token, stock frames, the custom parser', async () => {
    const url = server.wsUrl('/legacy');
    expect(JSON.parse(await firstReply(url, JSON.stringify({ event: 'echo', data: 1 })))).toEqual({
      event: 'echoed',
      data: 1,
    });
    expect(JSON.parse(await firstReply(url, 'raw text'))).toEqual({
      event: 'echoed',
      data: 'raw text',
    });
  });

  it('leave the realtime gateways authenticated and on realtime.v1', async () => {
    const refused = await expectRefused(server.url, { path: '/below' });
    expect(refused.status).toBe(401);
    const token = signTestToken(TEST_SECRET, { sub: 'mixed' });
    const client = await createTestClient(server.wsUrl('/below'), { token });
    await expect(client.request('oops-below')).rejects.toMatchObject({ code: 'HANDLED_BY_APP' });
    await client.close();
  });
});
