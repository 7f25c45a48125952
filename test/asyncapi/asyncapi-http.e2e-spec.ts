import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AsyncApiDocument, RealtimeModule } from '../../src/server/index.js';
import { startDemo, TEST_SECRET, type RunningApp } from '../support/demo-app.js';

/**
 * Issue 17, item 4: the document over HTTP. The demo serves it on `/asyncapi.json`, not with
 * `NODE_ENV=production` (unless a path is configured); the path is an option.
 */
describe('AsyncAPI document over HTTP', () => {
  let demo: RunningApp | undefined;
  let app: INestApplication | undefined;
  const nodeEnv = process.env['NODE_ENV'];
  afterEach(async () => {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
    await demo?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    demo = undefined;
    app = undefined;
  });

  it('is served on /asyncapi.json by default, as the app builds it', async () => {
    demo = await startDemo();
    const res = await fetch(`${demo.baseUrl}/asyncapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await res.json()) as Record<string, unknown>;
    expect(served).toEqual(demo.app.get(AsyncApiDocument).build());
    expect(served['asyncapi']).toBe('3.0.0');
  });

  it('is not served with NODE_ENV=production', async () => {
    process.env['NODE_ENV'] = 'production';
    demo = await startDemo();
    expect((await fetch(`${demo.baseUrl}/asyncapi.json`)).status).toBe(404);
    // The document is still there for a script.
    expect(demo.app.get(AsyncApiDocument).build().asyncapi).toBe('3.0.0');
  });

  it('is served on the configured path, in production too', async () => {
    process.env['NODE_ENV'] = 'production';
    @Module({
      imports: [
        RealtimeModule.forRoot({
          jwt: { secret: TEST_SECRET },
          asyncapi: { path: '/docs/realtime.json', title: 'Custom' },
        }),
      ],
    })
    class CustomModule {}
    app = await NestFactory.create(CustomModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/docs/realtime.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ info: { title: 'Custom' }, channels: {} });
    expect((await fetch(`http://127.0.0.1:${port}/asyncapi.json`)).status).toBe(404);
  });
});
