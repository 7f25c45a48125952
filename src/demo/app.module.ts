import { Module, type DynamicModule } from '@nestjs/common';
import { RealtimeHealthController, RealtimeModule } from '../server/index.js';
import { AdminModule } from './admin/admin.module.js';
import { DevTokenController } from './auth/dev-token.controller.js';
import { HealthController } from './health.controller.js';
import { ChatModule } from './chat/chat.module.js';
import type { DemoConfig } from './config/demo-config.js';
import { DEMO_CONFIG } from './config/demo-config.token.js';
import { demoRecovery } from './config/demo-recovery.js';
import { DEMO_ASYNCAPI } from './asyncapi.js';
import { GameModule } from './game/game.module.js';
import { PageController } from './page/page.controller.js';
import { TickerModule } from './ticker/ticker.module.js';

/** The demo app: chat, ticker and game, all on one WebSocket path. */
@Module({})
export class AppModule {
  static forRoot(config: DemoConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RealtimeModule.forRoot({
          jwt: {
            secret: config.jwtSecret,
            algorithms: ['HS256'],
            issuer: config.jwtIssuer,
            audience: config.jwtAudience,
          },
          allowedOrigins: config.allowedOrigins,
          maxPayload: config.maxPayloadBytes,
          heartbeatIntervalMs: config.heartbeatIntervalMs,
          shutdown: { drainMs: config.shutdownDrainMs },
          recovery: demoRecovery(config),
          asyncapi: DEMO_ASYNCAPI,
          metrics: config.metrics,
          redis: config.redisUrl
            ? { url: config.redisUrl, presenceTtlMs: config.redisPresenceTtlMs }
            : config.redisCluster
              ? { cluster: config.redisCluster, presenceTtlMs: config.redisPresenceTtlMs }
              : undefined,
        }),
        ChatModule,
        TickerModule,
        GameModule,
        AdminModule,
      ],
      controllers: config.devTokens
        ? [DevTokenController, HealthController, RealtimeHealthController, PageController]
        : [HealthController, RealtimeHealthController, PageController],
      providers: [{ provide: DEMO_CONFIG, useValue: config }],
      exports: [DEMO_CONFIG],
      global: true,
    };
  }
}
