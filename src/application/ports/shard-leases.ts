/** What an instance is told as it gains and loses result shards. */
export interface ShardListener {
  acquired(shard: number): Promise<void>;
  /** Must stop consuming the shard before resolving: the lease is given up after it. */
  released(shard: number): Promise<void>;
}

/**
 * This instance's share of the result shards, divided among the live orchestrator instances
 * (implemented on PostgreSQL in src/infrastructure/sharding).
 */
export interface ShardLeases {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The shards held now, ascending. */
  readonly shards: number[];
}

/** Makes the leases of one orchestrator role; `onError` hears failed lease rounds. */
export type ShardLeasesFactory = (listener: ShardListener, onError: (error: unknown) => void) => ShardLeases;
