import type { SessionRecord, SessionStore } from '../../src/server/recovery/session-store.js';

/** The session store of one instance, as an implementation gives it. */
export interface SessionParts {
  store: SessionStore;
  /** Resolves once the started store can be used (in-process: at once). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One backend shared by the instances of one test. */
export interface SessionBackend {
  instance(): SessionParts;
  /** Resolves once the session saved under `id` for `ttlMs` expired (a condition awaited, or a clock moved). */
  expire(id: string, ttlMs: number): Promise<void>;
  /** Stores `value` as is where the session `id` would be (a backend that stores text). */
  corrupt?(id: string, value: string): Promise<void>;
  close(): Promise<void>;
}

export type SessionBackendFactory = () => Promise<SessionBackend>;

const record = (userId: string): SessionRecord => ({
  userId,
  connectionId: `${userId}-conn-1`,
  rooms: ['chat:general', 'ticker:ACME'],
  starts: {
    'room:chat:general': { e: 'k3x9q0ab', o: 42 },
    [`user:${userId}`]: { e: 'p0c1', o: 0 },
  },
});

let ids = 0;
const newId = (): string => `Qm9zZXNzaW9uaWQ${String(++ids).padStart(7, '0')}`;

/**
 * The contract of a `SessionStore` (docs/recovery-design.md, section 3), on two instances of one
 * backend: a saved record is taken once, by any instance, until it expires. Call it in a spec
 * file with a factory of fresh backends, e.g.
 * `describeSessionStoreConformance('in-process', async () => inProcessSessions())`.
 */
export function describeSessionStoreConformance(
  name: string,
  factory: SessionBackendFactory,
  /** Whether the backend stores text that `corrupt()` can spoil. */
  options: { corrupt?: boolean } = {},
): void {
  describe(`session store conformance: ${name}`, () => {
    let backend: SessionBackend;
    let started: SessionParts[] = [];
    const start = async (count = 2): Promise<SessionStore[]> => {
      const parts = Array.from({ length: count }, () => backend.instance());
      started.push(...parts);
      await Promise.all(parts.map((p) => p.start()));
      return parts.map((p) => p.store);
    };

    beforeEach(async () => {
      backend = await factory();
    });
    afterEach(async () => {
      await Promise.all(started.map((p) => p.stop()));
      started = [];
      await backend.close();
    });

    it('gives a saved record back once, on any instance', async () => {
      const [a, b] = await start();
      const id = newId();
      await a!.save(id, record('alice'), 60_000);
      await expect(b!.take(id)).resolves.toEqual(record('alice'));
      await expect(b!.take(id)).resolves.toBeUndefined();
      await expect(a!.take(id)).resolves.toBeUndefined();
      await expect(a!.take(newId())).resolves.toBeUndefined();
    });

    it('a second save replaces the record; other ids are untouched', async () => {
      const [a] = await start(1);
      const [id, other] = [newId(), newId()];
      await a!.save(id, record('alice'), 60_000);
      await a!.save(other, record('carol'), 60_000);
      await a!.save(id, record('bob'), 60_000);
      await expect(a!.take(id)).resolves.toEqual(record('bob'));
      await expect(a!.take(other)).resolves.toEqual(record('carol'));
    });

    it('two instances taking one session at once: exactly one gets it', async () => {
      const [a, b] = await start();
      for (let round = 0; round < 20; round++) {
        const id = newId();
        await a!.save(id, record('alice'), 60_000);
        const got = await Promise.all([a!.take(id), b!.take(id), a!.take(id), b!.take(id)]);
        expect(got.filter((r) => r !== undefined)).toEqual([record('alice')]);
      }
    });

    it('forgets a record after its ttl', async () => {
      const [a, b] = await start();
      const [id, kept] = [newId(), newId()];
      await a!.save(kept, record('carol'), 60_000);
      await a!.save(id, record('alice'), 100);
      await backend.expire(id, 100);
      await expect(b!.take(id)).resolves.toBeUndefined();
      await expect(b!.take(kept)).resolves.toEqual(record('carol'));
    });

    if (options.corrupt) {
      it('a stored value that is not a session record is undefined, not thrown', async () => {
        const [a] = await start(1);
        for (const value of ['not json {', '{"userId":1}', '[]', 'null', '"x"']) {
          const id = newId();
          await backend.corrupt!(id, value);
          await expect(a!.take(id)).resolves.toBeUndefined();
          await expect(a!.take(id)).resolves.toBeUndefined();
        }
      });
    }
  });
}
