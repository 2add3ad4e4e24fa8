import type { RunView } from '../queries/run-view.js';

export const RUN_VIEW_CACHE = Symbol('RunViewCache');

export interface CacheLookup {
  /** The cached view, if it is at least as new as the latest committed version. */
  view: RunView | null;
  /**
   * The latest committed version of the run that the cache knows of (0: none known); null when
   * the cache cannot say (it is unreachable), so the caller must read the primary.
   */
  minVersion: number | null;
}

export interface CacheJsonLookup extends Omit<CacheLookup, 'view'> {
  /** The cached view as the JSON text it is stored as (no parse: REST sends it as it is). */
  json: string | null;
}

/**
 * Cache-aside store of run views with read-your-writes version markers (see docs/read-side.md),
 * keyed by namespace and run id: a view is found only by a reader of its own namespace.
 */
export interface RunViewCache {
  lookup(namespace: string, runId: string): Promise<CacheLookup>;
  lookupJson(namespace: string, runId: string): Promise<CacheJsonLookup>;
  /** Keeps `json` (a view) unless the cache already holds, or knows of, a newer version. Never throws. */
  store(namespace: string, runId: string, version: number, json: string): Promise<void>;
}
