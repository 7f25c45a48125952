import { Redis } from 'ioredis';

/**
 * What the live nodes of a test Redis Cluster say about it (CLUSTER INFO, CLUSTER NODES, INFO
 * replication), and the verdict of redis-cluster.ts's waits: healthy, or the first problem seen.
 */

const SLOTS = 16384;
const BAD_FLAGS = ['fail', 'fail?', 'handshake', 'noaddr'];

/** One node as a live node sees it: its role, its master (replicas), the slots it serves. */
export interface NodeRole {
  readonly role: 'master' | 'replica';
  readonly masterPort: number | undefined;
  readonly slots: readonly (readonly [number, number])[];
}

interface Entry extends NodeRole {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly link: string;
  readonly masterId: string;
}

interface Report {
  readonly info: ReadonlyMap<string, string>;
  readonly entries: readonly Entry[];
  readonly replication: ReadonlyMap<string, string>;
}

/** The agreed roles of the live nodes, or the first thing that is not right yet. */
export type Verdict =
  | { readonly healthy: true; readonly roles: ReadonlyMap<number, NodeRole> }
  | { readonly healthy: false; readonly problem: string };

/** Runs one command on the node at `port` (see `connected`). */
export function command(port: number, ...args: [string, ...string[]]): Promise<unknown> {
  return connected(port, (redis) => redis.call(...args));
}

/** Uses a short-lived connection to the node at `port` that never retries nor queues. */
async function connected<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    commandTimeout: 1000,
  });
  redis.on('error', () => undefined); // the rejected promise carries it
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Healthy when every live node says `cluster_state:ok` with all slots ok, knows all `total`
 * nodes, sees every live node connected and none flagged failing, no slot is served by a dead
 * node or a master is left without slots, every replica's link to its master is up, and all
 * live nodes agree on every live node's role, master and slots.
 */
export async function inspectCluster(
  livePorts: readonly number[],
  total: number,
): Promise<Verdict> {
  const reports = await Promise.all(livePorts.map((port) => report(port).catch((e: Error) => e)));
  let agreed: { port: number; roles: Map<number, NodeRole>; signature: string } | undefined;
  for (const [i, port] of livePorts.entries()) {
    const seen = reports[i]!;
    if (seen instanceof Error) return unhealthy(port, seen.message);
    const problem = problemIn(seen, port, livePorts, total);
    if (problem) return unhealthy(port, problem);
    const roles = new Map(
      livePorts.map((p) => [p, roleOf(seen.entries.find((e) => e.port === p)!)]),
    );
    const signature = JSON.stringify([...roles]);
    if (agreed && agreed.signature !== signature) {
      return unhealthy(port, `disagrees with ${agreed.port}: ${signature} vs ${agreed.signature}`);
    }
    agreed ??= { port, roles, signature };
  }
  if (!agreed) return { healthy: false, problem: 'no live node' };
  return { healthy: true, roles: agreed.roles };
}

function unhealthy(port: number, problem: string): Verdict {
  return { healthy: false, problem: `127.0.0.1:${port} ${problem}` };
}

function problemIn(seen: Report, self: number, live: readonly number[], total: number) {
  const { info, entries, replication } = seen;
  if (info.get('cluster_state') !== 'ok') return `says cluster_state:${info.get('cluster_state')}`;
  if (info.get('cluster_slots_ok') !== String(SLOTS)) {
    return `says cluster_slots_ok:${info.get('cluster_slots_ok')}`;
  }
  if (info.get('cluster_known_nodes') !== String(total)) {
    return `knows ${info.get('cluster_known_nodes')} nodes, not ${total}`;
  }
  for (const port of live) {
    const entry = entries.find((e) => e.port === port);
    if (!entry) return `does not know ${port}`;
    const bad = entry.flags.filter((f) => BAD_FLAGS.includes(f));
    if (bad.length > 0) return `sees ${port} as ${bad.join(',')}`;
    if (port !== self && entry.link !== 'connected') return `has no link to ${port}`;
    if (entry.role === 'master' && entry.slots.length === 0) return `sees ${port} as empty master`;
  }
  const orphan = entries.find((e) => e.slots.length > 0 && !live.includes(e.port));
  if (orphan) return `still sees slots on ${orphan.port}, which is down`;
  const me = entries.find((e) => e.port === self)!;
  if (me.role === 'replica' && replication.get('master_link_status') !== 'up') {
    return `has master_link_status:${replication.get('master_link_status')}`;
  }
  if (me.role === 'replica' && replication.get('master_port') !== String(me.masterPort)) {
    return `replicates ${replication.get('master_port')}, not ${me.masterPort}`;
  }
  return undefined;
}

function roleOf({ role, masterPort, slots }: Entry): NodeRole {
  return { role, masterPort, slots };
}

async function report(port: number): Promise<Report> {
  const [info, nodes, replication] = await connected(port, (redis) =>
    Promise.all([
      redis.call('CLUSTER', 'INFO'),
      redis.call('CLUSTER', 'NODES'),
      redis.call('INFO', 'replication'),
    ]),
  );
  return {
    info: fields(String(info)),
    entries: parseNodes(String(nodes)),
    replication: fields(String(replication)),
  };
}

function fields(text: string): Map<string, string> {
  const pairs = text.split(/\r?\n/).map((line) => line.split(':', 2) as [string, string]);
  return new Map(pairs.filter((pair) => pair.length === 2));
}

/** `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...` per line. */
function parseNodes(text: string): Entry[] {
  const lines = text.trim().split('\n');
  const raw = lines.map((line) => {
    const [id = '', address = '', flags = '', masterId = '', , , , link = '', ...slots] = line
      .trim()
      .split(' ');
    const ranges = slots
      .filter((s) => !s.startsWith('[')) // slots being migrated: [slot->-id] / [slot-<-id]
      .map((s) => s.split('-').map(Number))
      .map(([from = 0, to = from]) => [from, to] as const);
    return {
      id,
      port: Number(/:(\d+)@/.exec(address)?.[1]),
      flags: flags.split(','),
      masterId,
      link,
      slots: ranges,
    };
  });
  return raw.map((e) => ({
    ...e,
    role: e.flags.includes('master') ? 'master' : 'replica',
    masterPort: raw.find((m) => m.id === e.masterId)?.port,
  }));
}
