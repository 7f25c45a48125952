import { Controller, Get, Header, Inject } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DEMO_CONFIG } from '../config/demo-config.token.js';
import type { DemoConfig } from '../config/demo-config.js';
import type { PageConfig } from './page-config.js';

/** `GET /page-config.json`: what the web page needs to know before it connects. */
@Controller()
export class PageController {
  private readonly bootId = randomUUID();

  constructor(@Inject(DEMO_CONFIG) private readonly config: DemoConfig) {}

  @Get('page-config.json')
  @Header('Cache-Control', 'no-store')
  pageConfig(): PageConfig {
    return {
      wsPath: this.config.wsPath,
      devTokens: this.config.devTokens,
      bootId: this.bootId,
      tokensSurviveRestart: !this.config.jwtSecretGenerated,
    };
  }
}
