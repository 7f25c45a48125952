import type { WebSocket } from 'ws';
import type { Delivery, Interest, RoomMember } from '../../src/server/index.js';
import {
  ConnectionRegistry,
  PresenceStore,
  RealtimeBroker,
  RealtimeBus,
  type BusHealth,
  type BusReceiver,
  type MembersPage,
  type PresenceSource,
} from '../../src/server/index.js';
// The suite drives real registries over sockets it fakes, so it builds connection states itself.
import { ConnectionState } from '../../src/server/connection/connection-state.js';
import { FakeSocket } from './fake-socket.js';

/** The bus and presence store of one instance, as an implementation under test provides them. */
export interface InstanceParts {
  bus: RealtimeBus;
  presence: PresenceStore;
  /** Resolves once the started bus and store are connected (in-process: at once). */
  ready(): Promise<void>;
}

/** One backend shared by the instances of one test (a hub, a Redis key prefix...). */
export interface ConformanceBackend {
  /** The parts of one more instance on this backend, not started. */
  instance(): InstanceParts;
  /** Makes the backend lose every presence entry, as a Redis that restarted empty. */
  losePresence(): Promise<void>;
  close(): Promise<void>;
}

export type BackendFactory = () => Promise<ConformanceBackend>;

/** Calls that nobody awaits in the registry, kept so a test can await them all. */
type Pending = Promise<unknown>[];

/** Forwards every call; keeps the promise of each subscription change. */
class ObservedBus extends RealtimeBus {
  constructor(
    readonly inner: RealtimeBus,
    private readonly pending: Pending,
  ) {
    super();
  }
  override start(receive: BusReceiver): Promise<void> {
    return this.inner.start(receive);
  }
  override stop(): Promise<void> {
    return this.inner.stop();
  }
  override publish(interests: readonly Interest[], delivery: Delivery): void {
    this.inner.publish(interests, delivery);
  }
  override subscribe(interest: Interest): Promise<void> {
    return this.keep(this.inner.subscribe(interest));
  }
  override unsubscribe(interest: Interest): Promise<void> {
    return this.keep(this.inner.unsubscribe(interest));
  }
  override health(): BusHealth {
    return this.inner.health();
  }
  private keep(promise: Promise<void>): Promise<void> {
    this.pending.push(promise);
    return promise;
  }
}

/** Forwards every call; keeps the promise of each write. */
class ObservedPresence extends PresenceStore {
  constructor(
    readonly inner: PresenceStore,
    private readonly pending: Pending,
  ) {
    super();
  }
  override start(source: PresenceSource): Promise<void> {
    return this.inner.start(source);
  }
  override stop(): Promise<void> {
    return this.inner.stop();
  }
  override join(room: string, member: RoomMember): Promise<void> {
    return this.keep(this.inner.join(room, member));
  }
  override leave(room: string, member: RoomMember): Promise<void> {
    return this.keep(this.inner.leave(room, member));
  }
  override open(member: RoomMember): Promise<void> {
    return this.keep(this.inner.open(member));
  }
  override close(member: RoomMember): Promise<void> {
    return this.keep(this.inner.close(member));
  }
  override members(room: string): Promise<RoomMember[]> {
    return this.inner.members(room);
  }
  override page(room: string, after: string | undefined, limit: number): Promise<MembersPage> {
    return this.inner.page(room, after, limit);
  }
  override count(room: string): Promise<number> {
    return this.inner.count(room);
  }
  override isOnline(userId: string): Promise<boolean> {
    return this.inner.isOnline(userId);
  }
  override restore(): Promise<void> {
    return this.inner.restore();
  }
  private keep(promise: Promise<void>): Promise<void> {
    this.pending.push(promise);
    return promise;
  }
}

/** A connection of a test instance and its socket. */
export interface Client {
  connection: ConnectionState;
  socket: FakeSocket;
  id: string;
}

/** One instance of the app: a real registry on the implementation's bus and presence store. */
export class Instance {
  readonly registry: ConnectionRegistry;
  /** The implementation's own bus and store (not the observing wrappers). */
  readonly bus: RealtimeBus;
  readonly presence: PresenceStore;
  private count = 0;
  private stopped = false;

  constructor(
    readonly name: string,
    readonly parts: InstanceParts,
    pending: Pending,
  ) {
    this.bus = parts.bus;
    this.presence = parts.presence;
    const broker = new RealtimeBroker(
      new ObservedBus(parts.bus, pending),
      new ObservedPresence(parts.presence, pending),
    );
    this.registry = new ConnectionRegistry(broker);
  }

  /** Opens a connection of `userId`, in the given rooms. */
  open(userId: string, rooms: string[] = []): Client {
    const socket = new FakeSocket();
    const id = `${this.name}-${++this.count}`;
    const principal = {
      userId,
      claims: { sub: userId, name: userId.toUpperCase() },
      expiresAt: null,
    };
    const connection = new ConnectionState(id, '/ws', principal, socket as unknown as WebSocket);
    this.registry.add(connection);
    for (const room of rooms) this.registry.join(connection, room);
    return { connection, socket, id };
  }

  /** The app shut down: the registry stops the bus and the store (once). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.registry.onApplicationShutdown();
  }

  /** The socket closed: the registry forgets it. */
  close(client: Client): void {
    this.registry.remove(client.connection);
  }
}

/**
 * Registers, in the calling describe block, a fresh backend before each test and the teardown
 * after it. `start(n)` starts `n` instances on it; `settled()` waits for every subscription
 * change and presence write made so far to take effect, as their contracts promise.
 */
export function useCluster(factory: BackendFactory) {
  let backend: ConformanceBackend;
  let instances: Instance[] = [];
  const pending: Pending = [];

  beforeEach(async () => {
    backend = await factory();
  });
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    instances = [];
    await backend.close();
  });

  return {
    async start(count = 2): Promise<Instance[]> {
      const started = Array.from(
        { length: count },
        (_, i) => new Instance(String.fromCharCode(97 + i), backend.instance(), pending),
      );
      instances.push(...started);
      await Promise.all(started.map((i) => i.registry.onModuleInit()));
      await Promise.all(started.map((i) => i.parts.ready()));
      return started;
    },
    async settled(): Promise<void> {
      while (pending.length > 0) await Promise.all(pending.splice(0));
    },
    backend: () => backend,
  };
}

export type Cluster = ReturnType<typeof useCluster>;

/** Waits for a condition that no event announces, re-checked at each turn of the event loop. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
