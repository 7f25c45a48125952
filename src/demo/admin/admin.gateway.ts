import { Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { MessageBody } from '@nestjs/websockets';
import { IsOptional, IsString, Length } from 'class-validator';
import {
  CloseCode,
  ConnectionRegistry,
  RealtimeGateway,
  connectionOf,
} from '../../server/index.js';
import { wsPathFrom } from '../config/demo-config.js';
import { demo } from '../demo-handlers.js';
import { RevokeReplyDoc } from '../contract-docs.js';

export class RevokeDto {
  @IsString()
  @Length(1, 128)
  userId!: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  reason?: string;
}

/** A per-message guard: only tokens with the claim `role: "admin"` pass (else `FORBIDDEN`). */
@Injectable()
export class AdminRoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return connectionOf(context.switchToWs().getClient())?.principal.claims['role'] === 'admin';
  }
}

/** Revocation for the demo's admins: every connection of a user is closed with 4500. */
@RealtimeGateway({ path: wsPathFrom(process.env) })
export class AdminGateway {
  constructor(private readonly registry: ConnectionRegistry) {}

  @demo.request('admin:revoke', {
    reply: RevokeReplyDoc,
    summary: `Close every connection of a user with ${CloseCode.REVOKED} (admins only: role "admin").`,
  })
  @UseGuards(AdminRoleGuard)
  revoke(@MessageBody() { userId, reason }: RevokeDto): { revoked: number } {
    const revoked = this.registry.connectionsOf(userId).length;
    this.registry.disconnectUser(userId, CloseCode.REVOKED, reason ?? 'Revoked by an admin');
    return { revoked };
  }
}
