import { Injectable } from '@nestjs/common';
import type { Delivery, RoomMember } from './delivery.js';
import { RealtimeBroker, type BrokerHealth, type LocalSink } from './realtime-broker.js';

/** The single-instance broker: every delivery and every member is local. */
@Injectable()
export class InProcessBroker extends RealtimeBroker {
  private local: LocalSink | undefined;

  override bind(local: LocalSink): void {
    this.local = local;
  }

  /** A single instance: there is no other instance to carry anything to. */
  override publish(_delivery: Delivery): void {}

  override memberJoined(): void {}

  override memberLeft(): void {}

  override connectionOpened(): void {}

  override connectionClosed(): void {}

  override members(room: string): Promise<RoomMember[]> {
    return Promise.resolve(this.local?.localMembers(room) ?? []);
  }

  override isUserOnline(userId: string): Promise<boolean> {
    return Promise.resolve(this.local?.isOnlineHere(userId) ?? false);
  }

  override health(): BrokerHealth {
    return {
      kind: 'in-process',
      ready: true,
      published: 0,
      publishFailures: 0,
      received: 0,
      ignored: 0,
    };
  }
}
