import CircuitBreaker from 'opossum';
import type { RunHead, RunListFilter, RunReadModel } from '../../application/ports/run-read-model.js';
import type { SqlRunReadModel } from './sql-run-read-model.js';

/** The latest committed version of a run as far as this installation knows; null: unknown. */
export type VersionMarkers = (namespace: string, runId: string) => Promise<number | null>;

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

  async getRun(namespace: string, id: string, minVersion?: number | null) {
    const known = minVersion === undefined ? await this.markers(namespace, id) : minVersion;
    if (known !== null) {
      const found = await this.fromReplica(() => this.replica.getRun(namespace, id));
      if (found && found.run.version >= known) return found;
    }
    return this.fromPrimary(() => this.primary.getRun(namespace, id));
  }

  async listRuns(namespace: string, filter: RunListFilter) {
    return (
      (await this.fromReplica(() => this.replica.listRuns(namespace, filter))) ??
      this.fromPrimary(() => this.primary.listRuns(namespace, filter))
    );
  }

  async runHead(namespace: string, id: string): Promise<RunHead | null> {
    return (await this.freshReplica(namespace, id))
      ? this.replica.runHead(namespace, id)
      : this.primary.runHead(namespace, id);
  }

  async events(namespace: string, runId: string, after: number, limit: number) {
    if (await this.freshReplica(namespace, runId)) {
      const page = await this.fromReplica(() => this.replica.events(namespace, runId, after, limit));
      if (page) return page;
    }
    return this.fromPrimary(() => this.primary.events(namespace, runId, after, limit));
  }

  /**
   * Like lists, from a replica without per-run read-your-writes (the GraphQL loader reads the
   * tasks of list items that came from a replica); ids the replica does not have yet come
   * from the primary.
   */
  async getRunsByIds(namespace: string, ids: readonly string[]) {
    const found = await this.fromReplica(() => this.replica.getRunsByIds(namespace, ids));
    if (!found) return this.fromPrimary(() => this.primary.getRunsByIds(namespace, ids));
    const have = new Set(found.map((r) => r.run.id));
    const missing = ids.filter((id) => !have.has(id.toLowerCase()));
    if (missing.length === 0) return found;
    return [...found, ...(await this.fromPrimary(() => this.primary.getRunsByIds(namespace, missing)))];
  }

  close(): void {
    this.breaker.shutdown();
  }

  /** Calls `listener` each time the breaker opens (reads go to the primary): for metrics. */
  onBreakerOpen(listener: () => void): void {
    this.breaker.on('open', listener);
  }

  /** False while reads skip the replicas (breaker open or half-open): for metrics. */
  get breakerClosed(): boolean {
    return this.breaker.closed;
  }

  /** The replica has the run at (at least) its latest committed version. */
  private async freshReplica(namespace: string, runId: string): Promise<boolean> {
    const known = await this.markers(namespace, runId);
    if (known === null) return false;
    const head = await this.fromReplica(() => this.replica.runHead(namespace, runId));
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
