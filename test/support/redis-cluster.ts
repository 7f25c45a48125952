import { execFile, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  distinctFreePorts,
  killProcess,
  spawnNode,
  startWatchdog,
  stopWatchdog,
} from './redis-cluster-processes.js';
import { command, inspectCluster, type NodeRole } from './redis-cluster-view.js';

/**
 * A real Redis Cluster on 127.0.0.1 for tests: private `redis-server` processes on free ports,
 * joined by `redis-cli --cluster create`, with the faults a test injects (kill -9, restart on the
 * same port, failover). Every wait polls the nodes until they all agree the cluster is ok, with a
 * deadline that throws the last problem seen. Nothing is persisted: a restarted node starts empty
 * and gets its data back by replication, if it is a replica.
 */

/** One node of the cluster, as all live nodes agreed at the last wait. */
export interface ClusterNode extends NodeRole {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Of the running `redis-server`; undefined while the node is killed. */
  readonly pid: number | undefined;
}

export interface RedisClusterOptions {
  /** At least 3 (redis-cli's rule). Default 3. */
  readonly masters?: number;
  /** Default 1. */
  readonly replicasPerMaster?: number;
  /** How long a wait (start, rejoin, failover) may take before it throws. Default 20 s. */
  readonly deadlineMs?: number;
}

interface Member {
  readonly port: number;
  readonly busPort: number;
  child: ChildProcess | undefined;
  role: NodeRole;
}

/** An entry of CLUSTER SLOTS: first slot, last slot, then [host, port, id] of the master. */
type SlotRange = [number, number, [string, number]];

const POLL_MS = 50;

export class RedisCluster {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly dir: string,
    private readonly members: Member[],
    private readonly watchdog: ChildProcess,
    private readonly deadlineMs: number,
  ) {}

  /** Starts the nodes, creates the cluster and resolves when it is healthy (see `waitUntilHealthy`). */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const { masters = 3, replicasPerMaster = 1, deadlineMs = 20_000 } = options;
    if (masters < 3) throw new Error(`A Redis Cluster needs at least 3 masters, got ${masters}.`);
    const ports = await distinctFreePorts(2 * masters * (1 + replicasPerMaster));
    const members = ports.slice(0, ports.length / 2).map((port, i) => ({
      port,
      busPort: ports[ports.length / 2 + i]!,
      child: undefined,
      role: { role: i < masters ? 'master' : 'replica', masterPort: undefined, slots: [] } as const,
    }));
    const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
    const cluster = new RedisCluster(dir, members, startWatchdog(dir), deadlineMs);
    try {
      const spawned = await Promise.allSettled(members.map((m) => cluster.spawnNode(m)));
      const failed = spawned.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      await createCluster(members, replicasPerMaster, deadlineMs);
      await cluster.waitUntilHealthy('the new cluster');
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Every node, killed ones included (with their last known role). */
  get nodes(): ClusterNode[] {
    return this.members.map((m) => ({
      ...m.role,
      port: m.port,
      url: `redis://127.0.0.1:${m.port}`,
      pid: m.child?.pid,
    }));
  }

  /** URLs of the live masters: the startup nodes to give a client. */
  get seeds(): string[] {
    return this.nodes.filter((n) => n.role === 'master' && n.pid).map((n) => n.url);
  }

  node(port: number): ClusterNode {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`No node on port ${port} in this cluster.`);
    return node;
  }

  /** The master that serves a slot, or the slot of a key or shard channel, as a live node says. */
  async masterOf(slotOrKey: number | string): Promise<ClusterNode> {
    const port = this.liveMembers()[0]?.port;
    if (port === undefined) throw new Error('No live node to ask.');
    const slot =
      typeof slotOrKey === 'number'
        ? slotOrKey
        : Number(await command(port, 'CLUSTER', 'KEYSLOT', slotOrKey));
    const ranges = (await command(port, 'CLUSTER', 'SLOTS')) as SlotRange[];
    const range = ranges.find(([from, to]) => from <= slot && slot <= to);
    if (!range) throw new Error(`127.0.0.1:${port} says no master serves slot ${slot}.`);
    return this.node(range[2][1]);
  }

  /** `kill -9` of one node; resolves when it is dead, without waiting for the cluster to react. */
  async killNode(port: number): Promise<void> {
    const member = this.member(port);
    if (member.child) await killProcess(member.child);
    member.child = undefined;
  }

  /** Starts a killed node again on its port and config file; resolves when it has rejoined. */
  async restartNode(port: number): Promise<void> {
    const member = this.member(port);
    if (member.child) throw new Error(`Node ${port} is running; kill it first.`);
    rmSync(join(this.dir, `dump-${port}.rdb`), { force: true });
    await this.spawnNode(member);
    await this.waitUntilHealthy(`node ${port} to rejoin`);
  }

  /** Kills a master and resolves with the replica that took its slots, once all nodes agree. */
  async killMasterAndWaitForPromotion(port: number): Promise<ClusterNode> {
    const replicas = this.liveReplicasOf(port);
    await this.killNode(port);
    await this.waitUntilHealthy(`a replica of ${port} to be promoted`);
    const promoted = replicas.find((r) => r.role.role === 'master');
    if (!promoted) throw new Error(`No replica of ${port} was promoted.`);
    return this.node(promoted.port);
  }

  /** `CLUSTER FAILOVER` on a replica; resolves when all nodes agree it is the master. */
  async manualFailover(replicaPort: number): Promise<void> {
    const member = this.member(replicaPort);
    if (member.role.role !== 'replica' || !member.child) {
      throw new Error(`Node ${replicaPort} is not a live replica.`);
    }
    await command(replicaPort, 'CLUSTER', 'FAILOVER');
    await this.waitUntilHealthy(`${replicaPort} to take over`, () =>
      member.role.role === 'master' ? undefined : `${replicaPort} is still a replica`,
    );
  }

  /** Promotes a replica of this live master by `manualFailover`; resolves with the new master. */
  async failover(masterPort: number): Promise<ClusterNode> {
    const replica = this.liveReplicasOf(masterPort)[0]!;
    await this.manualFailover(replica.port);
    return this.node(replica.port);
  }

  /**
   * Polls every live node until the cluster is healthy (see `inspectCluster`) and `also` reports
   * no problem, then updates `nodes`. Throws with the last problem seen after the deadline.
   */
  async waitUntilHealthy(what = 'the cluster', also?: () => string | undefined): Promise<void> {
    const deadline = Date.now() + this.deadlineMs;
    for (;;) {
      const live = this.liveMembers();
      const verdict = await inspectCluster(
        live.map((m) => m.port),
        this.members.length,
      );
      if (verdict.healthy) for (const m of live) m.role = verdict.roles.get(m.port)!;
      const problem = verdict.healthy ? also?.() : verdict.problem;
      if (problem === undefined) return;
      if (Date.now() > deadline) {
        throw new Error(
          `Redis Cluster: gave up after ${this.deadlineMs} ms waiting for ${what}: ${problem}`,
        );
      }
      await delay(POLL_MS);
    }
  }

  /** Kills every node and removes the temporary directory; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.members.map((m) => this.killNode(m.port)));
      await stopWatchdog(this.watchdog);
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  private member(port: number): Member {
    const member = this.members.find((m) => m.port === port);
    if (!member) throw new Error(`No node on port ${port} in this cluster.`);
    return member;
  }

  private liveMembers(): Member[] {
    return this.members.filter((m) => m.child);
  }

  private liveReplicasOf(masterPort: number): Member[] {
    if (this.member(masterPort).role.role !== 'master') {
      throw new Error(`Node ${masterPort} is not a master.`);
    }
    const replicas = this.liveMembers().filter((m) => m.role.masterPort === masterPort);
    if (replicas.length === 0) throw new Error(`Master ${masterPort} has no live replica.`);
    return replicas;
  }

  private spawnNode(member: Member): Promise<void> {
    const { child, ready } = spawnNode(this.dir, member.port, member.busPort, this.deadlineMs);
    member.child = child;
    return ready;
  }
}

/** `redis-cli --cluster create`, which assigns the slots and the replicas, then joins the nodes. */
async function createCluster(members: Member[], replicasPerMaster: number, deadlineMs: number) {
  const args = ['--cluster', 'create', ...members.map((m) => `127.0.0.1:${m.port}`)];
  args.push('--cluster-replicas', String(replicasPerMaster), '--cluster-yes');
  await promisify(execFile)('redis-cli', args, { timeout: deadlineMs }).catch(
    (error: Error & { killed?: boolean; stdout?: string }) => {
      const killed = error.killed ? ` (killed after ${deadlineMs} ms)` : '';
      throw new Error(`redis-cli ${args.join(' ')} failed${killed}: ${error.stdout ?? error}`);
    },
  );
}
