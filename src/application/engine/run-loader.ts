import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import { WorkflowRun } from '../../domain/run/workflow-run.js';
import type { LoadedRun, RunStore } from '../ports/run-store.js';
import type { DefinitionCatalog } from './definition-catalog.js';
import { RunCache } from './run-cache.js';

export interface LoadedRuns {
  runs: Map<string, WorkflowRun>;
  /** Ids of the runs that came from the cache (their state may be older than the database's). */
  cached: Set<string>;
  /** Each run's stored trace context (null: started untraced). */
  traceParents: Map<string, string | null>;
}

/**
 * Where the orchestrator gets the runs it decides on: hot runs from the cache of last committed
 * snapshots (see RunCache for why that is safe), the rest from the store, each rebuilt as an
 * aggregate with its definition.
 */
export class RunLoader {
  private readonly cache = new RunCache();

  constructor(
    private readonly store: RunStore,
    private readonly definitions: DefinitionCatalog,
  ) {}

  async load(ids: readonly string[]): Promise<LoadedRuns> {
    const runs = new Map<string, WorkflowRun>();
    const cached = new Set<string>();
    const traceParents = new Map<string, string | null>();
    const missing: string[] = [];
    for (const id of ids) {
      const entry = this.cache.get(id);
      if (entry) {
        runs.set(id, WorkflowRun.restore(entry.snapshot, entry.definition));
        cached.add(id);
        traceParents.set(id, entry.traceParent);
      } else missing.push(id);
    }
    for (const loaded of await this.store.loadRuns(missing)) {
      runs.set(loaded.snapshot.id, await this.restore(loaded));
      traceParents.set(loaded.snapshot.id, loaded.traceParent);
    }
    return { runs, cached, traceParents };
  }

  /** Keeps a just-committed snapshot for the next decision on the run. */
  put(snapshot: RunSnapshot, definition: WorkflowDefinition, traceParent: string | null): void {
    this.cache.put(snapshot, definition, traceParent);
  }

  forget(ids: Iterable<string>): void {
    this.cache.forget(ids);
  }

  clear(): void {
    this.cache.clear();
  }

  private async restore(loaded: LoadedRun): Promise<WorkflowRun> {
    const { namespace, definitionRef: ref } = loaded.snapshot;
    const definition =
      loaded.inlineDefinition ?? (await this.registeredDefinition(namespace, ref.name, ref.version!));
    return WorkflowRun.restore(loaded.snapshot, definition);
  }

  private async registeredDefinition(
    namespace: string,
    name: string,
    version: number,
  ): Promise<WorkflowDefinition> {
    const definition = await this.definitions.version(namespace, name, version);
    if (!definition) {
      throw new Error(`definition ${name}@${version} of a stored run in ${namespace} is missing`);
    }
    return definition;
  }
}
