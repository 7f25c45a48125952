import {
  Injectable,
  Module,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import {
  Principal,
  RealtimeGateway,
  RealtimeModule,
  type HandshakeContext,
  type HandshakeGuard,
  type RealtimePrincipal,
} from '../../src/server/index.js';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
} from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { expectRefused } from '../support/ws-client.js';

/** Issue 11: the app's identity, not ours (numeric ids, its JwtService, its guards, $auth). */

/** A RolesGuard as HTTP apps write it: it reads `request.user`. */
@Injectable()
class AdminOnly implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ user?: { role?: { name?: string } } }>();
    const client = context.switchToWs().getClient<{ user?: unknown }>();
    return request.user?.role?.name === 'admin' && client.user === request.user;
  }
}

@RealtimeGateway('/app')
class AppGateway {
  @SubscribeMessage('whoami')
  whoami(@Principal() principal: RealtimePrincipal): string {
    return principal.userId;
  }

  @UseGuards(AdminOnly)
  @SubscribeMessage('admin:stats')
  stats(): { ok: true } {
    return { ok: true };
  }
}

/** Tokens like `{"id": 7, "role": {"name": "admin"}}`, verified by the app's own JwtService. */
@Module({
  imports: [
    RealtimeModule.forRootAsync({
      imports: [JwtModule.register({ secret: TEST_SECRET })],
      inject: [JwtService],
      useFactory: (jwt: JwtService) => ({
        jwt: { verify: (token: string) => jwt.verifyAsync<Record<string, unknown>>(token) },
        principal: { userIdClaim: 'id' },
        shutdown: { drainMs: 200 },
      }),
    }),
  ],
  providers: [AppGateway, AdminOnly],
})
class NumericIdModule {}

const token = (claims: Record<string, unknown>) => signTestToken(TEST_SECRET, claims);

describe('the app identity: numeric id claim, its JwtService, request.user for its guards', () => {
  let server: RunningRealtimeApp;
  beforeAll(async () => {
    server = await startRealtimeApp(NumericIdModule);
  });
  afterAll(() => server.close());

  it('connects with {"id": <number>}, and request.user is the claims for an HTTP-style guard', async () => {
    const admin = await createTestClient(server.wsUrl('/app'), {
      token: token({ id: 7, role: { name: 'admin' } }),
    });
    const user = await createTestClient(server.wsUrl('/app'), {
      token: token({ id: 8, role: { name: 'user' } }),
    });
    await expect(admin.request('whoami')).resolves.toBe('7');
    await expect(admin.request('admin:stats')).resolves.toEqual({ ok: true });
    await expect(user.request('admin:stats')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await admin.close();
    await user.close();
  });

  it('$auth goes through the same verification and mapping: same id accepted, another refused', async () => {
    const client = await createTestClient(server.wsUrl('/app'), {
      token: token({ id: 9, role: { name: 'user' } }),
    });
    await expect(client.request('admin:stats')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Promoted: the refreshed claims are what request.user shows from now on.
    const refreshed = await client.request('$auth', {
      token: token({ id: 9, role: { name: 'admin' } }),
    });
    expect(refreshed).toMatchObject({ expiresAt: expect.any(Number) });
    await expect(client.request('admin:stats')).resolves.toEqual({ ok: true });
    await expect(
      client.request('$auth', { token: token({ id: 10, role: { name: 'admin' } }) }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Token is for another user' });
    await expect(client.request('$auth', { token: token({ sub: 'no-id' }) })).rejects.toMatchObject(
      { code: 'UNAUTHORIZED', message: 'Token has no user id' },
    );
    await client.close();
  });

  it('refuses a token without the id claim at the upgrade with 401', async () => {
    const refused = await expectRefused(server.url, {
      path: '/app',
      token: token({ sub: 'alice' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.json().error).toEqual({ code: 'UNAUTHORIZED', message: 'Token has no user id' });
  });
});

/** Opaque session tokens checked by the app's own guard, with no JWT at all. */
const SESSIONS = new Map([
  ['s-1', 'carol'],
  ['s-2', 'carol'],
  ['s-3', 'dave'],
]);

@Injectable()
class SessionGuard implements HandshakeGuard {
  readonly kinds: HandshakeContext['kind'][] = [];
  canHandshake(context: HandshakeContext): boolean {
    this.kinds.push(context.kind);
    const userId = context.token && SESSIONS.get(context.token);
    if (!userId) return false;
    context.principal = { userId, claims: { session: context.token }, expiresAt: null };
    return true;
  }
}

@RealtimeGateway('/sessions')
class SessionGateway {
  @SubscribeMessage('session')
  session(@Principal('claims') claims: Record<string, unknown>, @MessageBody() _: unknown) {
    return claims['session'];
  }
}

@Module({
  imports: [
    RealtimeModule.forRoot({ handshakeGuards: [SessionGuard], shutdown: { drainMs: 200 } }),
  ],
  providers: [SessionGateway, SessionGuard],
})
class SessionModule {}

describe('a custom authenticating handshake guard', () => {
  let server: RunningRealtimeApp;
  beforeAll(async () => {
    server = await startRealtimeApp(SessionModule);
  });
  afterAll(() => server.close());

  it('checks $auth too, with context.kind "refresh" and the new token as context.token', async () => {
    const client = await createTestClient(server.wsUrl('/sessions'), { token: 's-1' });
    await expect(client.request('session')).resolves.toBe('s-1');
    await expect(client.request('$auth', { token: 's-2' })).resolves.toEqual({ expiresAt: null });
    await expect(client.request('session')).resolves.toBe('s-2');
    await expect(client.request('$auth', { token: 'nope' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(client.request('$auth', { token: 's-3' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Token is for another user',
    });
    const guard = server.app.get(SessionGuard);
    expect(guard.kinds).toEqual(['upgrade', 'refresh', 'refresh', 'refresh']);
    await client.close();
  });
});
