// No import of ioredis here: this type is part of the public options, and an app without the
// `redis` option does not install ioredis.

/** Where Redis is: one server (`url`), or the seed nodes of a Redis Cluster (`cluster`). */
export interface RedisTopology {
  /** `redis://[:password@]host:port[/db]` of a standalone Redis. */
  url?: string;
  /**
   * Seed nodes of a Redis Cluster (`redis://[:password@]host:port`, `rediss://` for TLS): any
   * reachable node is enough, the client discovers the rest. Credentials of the first seed apply
   * to every node.
   */
  cluster?: readonly string[];
}
