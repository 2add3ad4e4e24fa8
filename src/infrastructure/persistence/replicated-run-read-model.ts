import CircuitBreaker from 'opossum';
import type { RunHead, RunListFilter, RunReadModel } from '../../application/ports/run-read-model.js';
import type { SqlRunReadModel } from './sql-run-read-model.js';

/** The latest committed version of a run as far as this installation knows; null: unknown. */
export type VersionMarkers = (runId: string) => Promise<number | null>;

type Read<R> = () => Promise<R>;

/**
 * Reads from the replicas, read-your-writes. Lists and event pages are served by a replica; a
 * single run (or its events) comes from the replica only when the replica has at least the
 * version the marker in Redis says was committed — otherwise, or when the marker is unknown
 * (Redis down), or the replica has no such run, from the primary. So a client that has just
 * started or changed a run never reads a 404 or an older state, however far the replica lags.
 * A failing replica trips a breaker and reads fall back to the primary (the primary's pool is
 * the writers', the replicas' pools are the readers': a bulkhead).
 */
export class ReplicatedRunReadModel implements RunReadModel {
  private readonly breaker: CircuitBreaker<[Read<unknown>], unknown>;
  readonly stats = { replicaReads: 0, primaryReads: 0 };

  constructor(
    private readonly primary: SqlRunReadModel,
    private readonly replica: SqlRunReadModel,
    private readonly markers: VersionMarkers,
  ) {
    this.breaker = new CircuitBreaker((read: Read<unknown>) => read(), {
      timeout: 2000,
      resetTimeout: 5000,
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
    });
  }

  async getRun(id: string, minVersion?: number | null) {
    const known = minVersion === undefined ? await this.markers(id) : minVersion;
    if (known !== null) {
      const found = await this.fromReplica(() => this.replica.getRun(id));
      if (found && found.run.version >= known) return found;
    }
    return this.fromPrimary(() => this.primary.getRun(id));
  }

  async listRuns(filter: RunListFilter) {
    return (
      (await this.fromReplica(() => this.replica.listRuns(filter))) ??
      this.fromPrimary(() => this.primary.listRuns(filter))
    );
  }

  async runHead(id: string): Promise<RunHead | null> {
    return (await this.freshReplica(id)) ? this.replica.runHead(id) : this.primary.runHead(id);
  }

  async events(runId: string, after: number, limit: number) {
    if (await this.freshReplica(runId)) {
      const page = await this.fromReplica(() => this.replica.events(runId, after, limit));
      if (page) return page;
    }
    return this.fromPrimary(() => this.primary.events(runId, after, limit));
  }

  /**
   * Like lists, from a replica without per-run read-your-writes (the GraphQL loader reads the
   * tasks of list items that came from a replica); ids the replica does not have yet come
   * from the primary.
   */
  async getRunsByIds(ids: readonly string[]) {
    const found = await this.fromReplica(() => this.replica.getRunsByIds(ids));
    if (!found) return this.fromPrimary(() => this.primary.getRunsByIds(ids));
    const have = new Set(found.map((r) => r.run.id));
    const missing = ids.filter((id) => !have.has(id.toLowerCase()));
    if (missing.length === 0) return found;
    return [...found, ...(await this.fromPrimary(() => this.primary.getRunsByIds(missing)))];
  }

  close(): void {
    this.breaker.shutdown();
  }

  /** False while reads skip the replicas (breaker open or half-open): for metrics. */
  get breakerClosed(): boolean {
    return this.breaker.closed;
  }

  /** The replica has the run at (at least) its latest committed version. */
  private async freshReplica(runId: string): Promise<boolean> {
    const known = await this.markers(runId);
    if (known === null) return false;
    const head = await this.fromReplica(() => this.replica.runHead(runId));
    return head !== null && head.version >= known;
  }

  /** null when the replica failed or its breaker is open: the caller reads the primary. */
  private async fromReplica<R>(read: Read<R>): Promise<R | null> {
    try {
      const result = (await this.breaker.fire(read)) as R;
      this.stats.replicaReads += 1;
      return result;
    } catch {
      return null;
    }
  }

  private fromPrimary<R>(read: Read<R>): Promise<R> {
    this.stats.primaryReads += 1;
    return read();
  }
}
