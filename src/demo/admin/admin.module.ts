import { Module } from '@nestjs/common';
import { AdminGateway, AdminRoleGuard } from './admin.gateway.js';

@Module({ providers: [AdminGateway, AdminRoleGuard] })
export class AdminModule {}
