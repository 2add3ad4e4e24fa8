import { sql, type Kysely } from 'kysely';
import type { ShardLeases, ShardListener } from '../../application/ports/shard-leases.js';

export type { ShardListener };

type Db = Kysely<unknown>;

export interface ShardLeaseOptions {
  instanceId: string;
  shardCount: number;
  /** A lease not renewed within this time may be taken by another instance. */
  ttlMs: number;
  renewIntervalMs: number;
}

/**
 * Divides the result shards among the live orchestrator instances through PostgreSQL
 * (Temporal's shard ownership in miniature): each instance keeps a membership heartbeat,
 * holds about shards/instances leases, renews them, takes over expired ones and hands back
 * extras. RabbitMQ's single-active-consumer stays as the safety net; the run `version` fences
 * a paused former owner.
 */
export class ShardLeaseManager implements ShardLeases {
  private readonly owned = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: () => Db,
    private readonly options: ShardLeaseOptions,
    private readonly listener: ShardListener,
    private readonly onError: (error: unknown) => void,
  ) {}

  get shards(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      if (!this.ticking)
        this.ticking = this.tick()
          .catch(this.onError)
          .finally(() => (this.ticking = null));
    }, this.options.renewIntervalMs);
    this.timer.unref();
  }

  async tick(): Promise<void> {
    if (this.stopped) return;
    const { instanceId: me, shardCount, ttlMs } = this.options;
    const db = this.db();
    const ttl = sql`make_interval(secs => ${ttlMs / 1000})`;
    await sql`insert into orchestrator_members (instance_id, expires_at) values (${me}, now() + ${ttl})
      on conflict (instance_id) do update set expires_at = excluded.expires_at`.execute(db);
    const renewed = await sql<{ shard: number }>`update shard_leases set expires_at = now() + ${ttl}
      where owner = ${me} returning shard`.execute(db);
    const held = new Set(renewed.rows.map((r) => r.shard));
    for (const shard of [...this.owned]) {
      if (!held.has(shard)) await this.drop(shard); // lost it (we were paused past the TTL)
    }
    for (const shard of held) {
      // Leases under our id that this process does not serve: a restart that kept its instance id.
      if (!this.owned.has(shard)) {
        this.owned.add(shard);
        await this.listener.acquired(shard);
      }
    }
    const members = await sql<{ n: string }>`select count(*) as n from orchestrator_members
      where expires_at > now()`.execute(db);
    const target = Math.ceil(shardCount / Math.max(1, Number(members.rows[0]?.n ?? 1)));
    if (this.owned.size > target) {
      for (const shard of this.shards.slice(target)) {
        await this.drop(shard);
        await sql`delete from shard_leases where shard = ${shard} and owner = ${me}`.execute(db);
      }
    } else if (this.owned.size < target) {
      const free = await sql<{ shard: number }>`select s as shard from generate_series(0, ${shardCount - 1}) s
        left join shard_leases l on l.shard = s where l.shard is null or l.expires_at < now()
        order by random() limit ${target - this.owned.size}`.execute(db);
      for (const { shard } of free.rows) {
        const taken = await sql<{ shard: number }>`insert into shard_leases (shard, owner, expires_at)
          values (${shard}, ${me}, now() + ${ttl})
          on conflict (shard) do update set owner = excluded.owner, expires_at = excluded.expires_at
            where shard_leases.expires_at < now()
          returning shard`.execute(db);
        if (taken.rows.length > 0) {
          this.owned.add(shard);
          await this.listener.acquired(shard);
        }
      }
    }
  }

  private async drop(shard: number): Promise<void> {
    this.owned.delete(shard);
    await this.listener.released(shard);
  }

  /** Stops consuming and gives every lease back so others take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    for (const shard of this.shards) await this.drop(shard);
    const db = this.db();
    await sql`delete from shard_leases where owner = ${this.options.instanceId}`.execute(db);
    await sql`delete from orchestrator_members where instance_id = ${this.options.instanceId}`.execute(db);
  }
}
