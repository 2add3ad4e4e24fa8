import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import { isFinalRunStatus } from '../../domain/run/run-status.js';

export interface CachedRun {
  snapshot: RunSnapshot;
  definition: WorkflowDefinition;
  /** The run's stored trace context (see RunStore's LoadedRun). */
  traceParent: string | null;
}

/**
 * The last committed state of the runs this process decided on recently, so applying the next
 * result of a hot run needs no read. Safe because every write is version-checked: if anyone
 * else changed the run meanwhile (a cancel through another api, a timer fired elsewhere), the
 * write fails, the entry is dropped and the run is read again. Bounded, least recently used out.
 */
export class RunCache {
  private readonly entries = new Map<string, CachedRun>();

  constructor(private readonly capacity = 20_000) {}

  get(id: string): CachedRun | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** Keeps a committed snapshot; a finished run will see no more results, so it is dropped. */
  put(snapshot: RunSnapshot, definition: WorkflowDefinition, traceParent: string | null): void {
    this.entries.delete(snapshot.id);
    if (isFinalRunStatus(snapshot.status)) return;
    this.entries.set(snapshot.id, { snapshot, definition, traceParent });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.entries.delete(id);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
