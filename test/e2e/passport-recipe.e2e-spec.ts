import {
  Controller,
  Get,
  Injectable,
  Module,
  Req,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { SubscribeMessage } from '@nestjs/websockets';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { RealtimeGateway, RealtimeModule } from '../../src/server/index.js';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
} from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';

/**
 * The README's passport-jwt recipe, run with the real libraries: the app's JwtStrategy keeps
 * guarding HTTP; gateways are authenticated at the upgrade, and the same validate() shapes
 * request.user, so the app's RolesGuard works on messages unchanged.
 */

interface AppUser {
  userId: string;
  username: string;
  roles: string[];
}

@Injectable()
class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: TEST_SECRET });
  }

  validate(payload: { sub: string; username: string; roles?: string[] }): AppUser {
    return { userId: payload.sub, username: payload.username, roles: payload.roles ?? [] };
  }
}

const Roles = (...roles: string[]) => SetMetadata('roles', roles);

/** The app's RolesGuard, written for HTTP: it reads request.user. */
@Injectable()
class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.get<string[] | undefined>('roles', context.getHandler());
    if (!roles) return true;
    const { user } = context.switchToHttp().getRequest<{ user?: AppUser }>();
    return roles.some((role) => user?.roles.includes(role));
  }
}

@Controller('profile')
class ProfileController {
  @UseGuards(AuthGuard('jwt'))
  @Get()
  profile(@Req() request: { user: AppUser }): AppUser {
    return request.user;
  }
}

@UseGuards(RolesGuard)
@RealtimeGateway('/ws')
class AdminGateway {
  @SubscribeMessage('whoami')
  whoami(): string {
    return 'anyone signed in';
  }

  @Roles('admin')
  @SubscribeMessage('admin:purge')
  purge(): { purged: true } {
    return { purged: true };
  }
}

/** The app's AuthModule, as passport-jwt apps have one. */
@Module({ imports: [PassportModule], providers: [JwtStrategy], exports: [JwtStrategy] })
class AuthModule {}

@Module({
  imports: [
    AuthModule,
    RealtimeModule.forRootAsync({
      // The strategy is the app's own provider; its validate() shapes request.user on messages.
      imports: [AuthModule],
      inject: [JwtStrategy],
      useFactory: (strategy: JwtStrategy) => ({
        jwt: { secret: TEST_SECRET },
        principal: {
          requestUser: ({ claims }) =>
            strategy.validate(claims as Parameters<JwtStrategy['validate']>[0]),
        },
        shutdown: { drainMs: 200 },
      }),
    }),
  ],
  controllers: [ProfileController],
  providers: [RolesGuard, AdminGateway],
})
class PassportAppModule {}

describe('the passport-jwt recipe', () => {
  let server: RunningRealtimeApp;
  beforeAll(async () => {
    server = await startRealtimeApp(PassportAppModule);
  });
  afterAll(() => server.close());

  const token = (roles: string[]) =>
    signTestToken(TEST_SECRET, { sub: `u-${roles.join('-') || 'none'}`, username: 'x', roles });

  it('HTTP stays on AuthGuard("jwt"); messages get the same request.user for RolesGuard', async () => {
    const response = await fetch(`${server.url}/profile`, {
      headers: { Authorization: `Bearer ${token(['admin'])}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userId: 'u-admin', username: 'x', roles: ['admin'] });
    expect((await fetch(`${server.url}/profile`)).status).toBe(401);

    const admin = await createTestClient(server.wsUrl('/ws'), { token: token(['admin']) });
    const user = await createTestClient(server.wsUrl('/ws'), { token: token([]) });
    await expect(admin.request('admin:purge')).resolves.toEqual({ purged: true });
    await expect(user.request('admin:purge')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(user.request('whoami')).resolves.toBe('anyone signed in');
    await admin.close();
    await user.close();
  });
});
