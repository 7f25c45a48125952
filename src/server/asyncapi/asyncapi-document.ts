import {
  Inject,
  Injectable,
  Logger,
  type INestApplicationContext,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GatewayCatalog } from '../gateway/gateway-catalog.js';
import { RESOLVED_OPTIONS } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { AsyncApiBuilder, type AsyncApiObject } from './asyncapi-builder.js';

/**
 * The AsyncAPI 3.0 document of the app's realtime API, generated from what runs: every
 * `@RealtimeGateway()` path is a channel, every handler an operation whose payload schema comes
 * from its DTO's class-validator decorators, with the reply and app error codes of
 * `@RealtimeDoc()` (or the contract handlers' second argument), the gateways' `pushes`, the
 * security schemes of `tokenSources`, the reserved events and the close codes.
 *
 * Served as JSON on `asyncapi.path` (`/asyncapi.json` unless `NODE_ENV=production`).
 */
@Injectable()
export class AsyncApiDocument implements OnModuleInit {
  private readonly logger = new Logger('AsyncApiDocument');

  constructor(
    private readonly catalog: GatewayCatalog,
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly http: HttpAdapterHost,
  ) {}

  /** The document, as plain JSON data; call after `app.init()` (gateways are found then). */
  build(): AsyncApiObject {
    return new AsyncApiBuilder(this.options, this.options.asyncapi).build(this.catalog.entries());
  }

  /**
   * Registers `GET <asyncapi.path>` on the app's HTTP server. Runs between Nest's routes and its
   * not-found handler; the document itself is built on each request, after boot.
   */
  onModuleInit(): void {
    const { path } = this.options.asyncapi;
    const adapter = this.http?.httpAdapter;
    if (path === false || !adapter) return;
    adapter.get(path, (_request: unknown, response: unknown) => {
      adapter.setHeader(response, 'Cache-Control', 'no-store');
      adapter.reply(response, this.build(), 200);
    });
    this.logger.log(`AsyncAPI document on GET ${path}`);
  }
}

/**
 * The AsyncAPI 3.0 document of an initialized app (`await app.init()` first, or a context from
 * `NestFactory.createApplicationContext()`), e.g. to write it to a file in a script.
 */
export function buildAsyncApi(app: INestApplicationContext): AsyncApiObject {
  return app.get(AsyncApiDocument, { strict: false }).build();
}
