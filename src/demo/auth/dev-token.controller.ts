import { Body, Controller, HttpCode, Inject, Post, ValidationPipe } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { DEMO_CONFIG } from '../config/demo-config.token.js';
import type { DemoConfig } from '../config/demo-config.js';

export class DevTokenDto {
  @IsString()
  @Length(1, 32)
  @Matches(/^[^<>]+$/, { message: 'name must not contain < or >' })
  name!: string;

  /** `admin` may call `admin:revoke`. Dev tokens exist only outside production. */
  @IsOptional()
  @IsIn(['admin'])
  role?: 'admin';
}

export interface DevTokenResponse {
  token: string;
  user: { id: string; name: string; role?: 'admin' };
}

/** Lifetime of a dev token. */
const DEV_TOKEN_TTL = '12h';

/**
 * `POST /auth/dev-token {name}`: a token for a fresh user, so the demo page and newcomers can
 * try the demo. Registered only when DEV_TOKENS is on (off in production).
 */
@Controller('auth')
export class DevTokenController {
  private readonly jwt: JwtService;

  constructor(@Inject(DEMO_CONFIG) config: DemoConfig) {
    this.jwt = new JwtService({
      secret: config.jwtSecret,
      signOptions: {
        algorithm: 'HS256',
        expiresIn: DEV_TOKEN_TTL,
        // jsonwebtoken refuses `issuer: undefined`; set the claims only when configured.
        ...(config.jwtIssuer ? { issuer: config.jwtIssuer } : {}),
        ...(config.jwtAudience ? { audience: config.jwtAudience } : {}),
      },
    });
  }

  @Post('dev-token')
  @HttpCode(200)
  issue(@Body(new ValidationPipe({ whitelist: true })) body: DevTokenDto): DevTokenResponse {
    const name = body.name.trim() || body.name;
    const user = body.role
      ? { id: randomUUID(), name, role: body.role }
      : { id: randomUUID(), name };
    const claims = body.role ? { sub: user.id, name, role: body.role } : { sub: user.id, name };
    return { token: this.jwt.sign(claims), user };
  }
}
