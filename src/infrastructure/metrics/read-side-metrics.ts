import { Counter, type Registry } from 'prom-client';
import type { CacheStats } from '../cache/redis-run-view-cache.js';

export interface ReadSideMetricSources {
  /** The run view cache's own lookup tally. */
  cacheStats: Readonly<CacheStats>;
  /** Which pool served reads (ReplicatedRunReadModel's tally); null without replicas. */
  replicaStats: () => Readonly<{ replicaReads: number; primaryReads: number }> | null;
}

/**
 * The read side's counters. The cache and the replicated read model keep plain monotonic
 * tallies on their hot paths (a property increment); the counters mirror them at scrape time.
 */
export function registerReadSideMetrics(registry: Registry, sources: ReadSideMetricSources): void {
  const registers = [registry];
  new Counter({
    name: 'sagaflow_run_view_cache_lookups_total',
    help: 'Run view cache lookups (GET of one run), by result: hit, miss, unavailable (Redis down or its breaker open)',
    labelNames: ['result'],
    registers,
    collect() {
      const stats = sources.cacheStats;
      this.reset();
      this.inc({ result: 'hit' }, stats.hits);
      this.inc({ result: 'miss' }, stats.misses);
      this.inc({ result: 'unavailable' }, stats.unavailable);
    },
  });
  new Counter({
    name: 'sagaflow_run_reads_total',
    help: 'Reads of the run read model with replicas configured, by the pool that served them: replica or primary',
    labelNames: ['pool'],
    registers,
    collect() {
      const stats = sources.replicaStats();
      this.reset();
      if (!stats) return;
      this.inc({ pool: 'replica' }, stats.replicaReads);
      this.inc({ pool: 'primary' }, stats.primaryReads);
    },
  });
}
