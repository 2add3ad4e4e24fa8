import type { WorkflowDefinition } from '../../../src/domain/definition/workflow-definition.js';
import type { RunEvent } from '../../../src/domain/run/run-events.js';
import type { RunSnapshot } from '../../../src/domain/run/run-snapshot.js';
import { WorkflowRun } from '../../../src/domain/run/workflow-run.js';
import type {
  RunHead,
  RunListFilter,
  RunReadModel,
  RunWithDefinition,
} from '../../../src/application/ports/run-read-model.js';
import {
  ConcurrencyError,
  DuplicateIdempotencyKeyError,
  StaleDefinitionError,
  type LoadedRun,
  type NewRunWrite,
  type OutgoingMessage,
  type RunStore,
  type RunWrite,
  type StoredOutgoingMessage,
} from '../../../src/application/ports/run-store.js';

/** What the runs table needs of the definitions table (its foreign key, the latest check). */
export interface RegisteredVersions {
  versionOf(namespace: string, name: string, version: number): WorkflowDefinition | null;
  latestVersionOf(name: string, namespace: string): number | null;
}

interface Row {
  snapshot: RunSnapshot;
  inlineDefinition: WorkflowDefinition | null;
  traceParent: string | null;
  definition: WorkflowDefinition;
}

/**
 * The run tables in memory: the write side (RunStore) and the read side (RunReadModel) over
 * the same rows, with the same rules as PostgreSQL's — all-or-nothing writes, version checks,
 * idempotency keys unique per namespace, gapless events, every read of one namespace. For
 * use-case unit tests that need no services.
 */
export class InMemoryRuns implements RunStore, RunReadModel {
  private readonly rows = new Map<string, Row>();
  private readonly eventsByRun = new Map<string, RunEvent[]>();
  /** Run ids by `<namespace>/<idempotency key>`. */
  private readonly byKey = new Map<string, string>();
  readonly outbox: StoredOutgoingMessage[] = [];
  private nextOutboxId = 1;
  /** Writes still to refuse with ConcurrencyError, as if another process moved the run. */
  conflictsToSimulate = 0;
  saveCalls = 0;

  constructor(private readonly definitions: RegisteredVersions) {}

  async loadRuns(ids: readonly string[]): Promise<LoadedRun[]> {
    return ids.flatMap((id) => {
      const row = this.rows.get(id);
      return row ? [this.loaded(row)] : [];
    });
  }

  async findRunByIdempotencyKey(namespace: string, key: string): Promise<LoadedRun | null> {
    const id = this.byKey.get(`${namespace}/${key}`);
    return id === undefined ? null : this.loaded(this.rows.get(id)!);
  }

  async insertRuns(runs: readonly NewRunWrite[]): Promise<StoredOutgoingMessage[]> {
    for (const run of runs) {
      const { idempotencyKey: key, namespace } = run.snapshot;
      if (key !== null && this.byKey.has(`${namespace}/${key}`)) throw new DuplicateIdempotencyKeyError(key);
      const ref = run.snapshot.definitionRef;
      if (run.checkLatest && this.definitions.latestVersionOf(ref.name, namespace) !== ref.version)
        throw new StaleDefinitionError(`${ref.name}@${ref.version} is no longer the latest`);
    }
    for (const run of runs) {
      const s = clone(run.snapshot);
      const ref = s.definitionRef;
      const definition =
        run.inlineDefinition ?? this.definitions.versionOf(s.namespace, ref.name, ref.version!);
      if (!definition) throw new Error(`definition ${ref.name}@${ref.version} is not registered`);
      this.rows.set(s.id, {
        snapshot: s,
        inlineDefinition: run.inlineDefinition,
        traceParent: run.traceParent,
        definition,
      });
      if (s.idempotencyKey !== null) this.byKey.set(`${s.namespace}/${s.idempotencyKey}`, s.id);
      this.eventsByRun.set(s.id, run.changes.events.map(storedEvent));
    }
    return this.append(runs.flatMap((r) => r.outbox));
  }

  async saveRuns(
    writes: readonly RunWrite[],
    outbox: readonly OutgoingMessage[],
  ): Promise<StoredOutgoingMessage[]> {
    this.saveCalls += 1;
    if (this.conflictsToSimulate > 0) {
      this.conflictsToSimulate -= 1;
      throw new ConcurrencyError();
    }
    for (const w of writes) {
      if (this.rows.get(w.snapshot.id)?.snapshot.version !== w.expectedVersion) throw new ConcurrencyError();
    }
    for (const w of writes) {
      const row = this.rows.get(w.snapshot.id)!;
      row.snapshot = clone(w.snapshot);
      this.eventsByRun.get(w.snapshot.id)!.push(...w.changes.events.map(storedEvent));
    }
    return this.append(outbox);
  }

  async runsWithDueTimers(now: Date, limit: number): Promise<string[]> {
    return [...this.rows.values()]
      .map((row) => ({ id: row.snapshot.id, at: WorkflowRun.earliestTimer(row.snapshot) }))
      .filter((due): due is { id: string; at: Date } => due.at !== null && due.at <= now)
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .slice(0, limit)
      .map((due) => due.id);
  }

  /** The row of a run of `namespace`; a run of another namespace is not there. */
  private row(namespace: string, id: string): Row | undefined {
    const row = this.rows.get(id);
    return row?.snapshot.namespace === namespace ? row : undefined;
  }

  async getRun(namespace: string, id: string): Promise<RunWithDefinition | null> {
    const row = this.row(namespace, id);
    return row ? { run: clone(row.snapshot), definition: row.definition } : null;
  }

  async listRuns(
    namespace: string,
    filter: RunListFilter,
  ): Promise<{ items: Omit<RunSnapshot, 'tasks'>[]; nextCursor: string | null }> {
    const items = [...this.rows.values()]
      .map((row) => row.snapshot)
      .filter(
        (s) =>
          s.namespace === namespace &&
          (filter.definition === undefined || s.definitionRef.name === filter.definition) &&
          (filter.status === undefined || s.status === filter.status),
      )
      .slice(0, filter.limit)
      .map(({ tasks: _tasks, ...run }) => clone(run));
    return { items, nextCursor: null };
  }

  async runHead(namespace: string, id: string): Promise<RunHead | null> {
    const row = this.row(namespace, id);
    return row
      ? {
          version: row.snapshot.version,
          lastSeq: row.snapshot.lastSeq,
          definition: row.snapshot.definitionRef.name,
        }
      : null;
  }

  async events(namespace: string, runId: string, after: number, limit: number): Promise<RunEvent[]> {
    if (!this.row(namespace, runId)) return [];
    return clone((this.eventsByRun.get(runId) ?? []).filter((e) => e.seq > after).slice(0, limit));
  }

  async getRunsByIds(namespace: string, ids: readonly string[]): Promise<RunWithDefinition[]> {
    const found = await Promise.all(ids.map((id) => this.getRun(namespace, id)));
    return found.filter((r) => r !== null);
  }

  /** Every committed event of a run, in order (what `GET /v1/runs/:id/events` would list). */
  eventsOf(runId: string): RunEvent[] {
    return clone(this.eventsByRun.get(runId) ?? []);
  }

  snapshotOf(runId: string): RunSnapshot {
    const row = this.rows.get(runId);
    if (!row) throw new Error(`no run ${runId}`);
    return clone(row.snapshot);
  }

  private loaded(row: Row): LoadedRun {
    return {
      snapshot: clone(row.snapshot),
      inlineDefinition: row.inlineDefinition,
      traceParent: row.traceParent,
    };
  }

  private append(messages: readonly OutgoingMessage[]): StoredOutgoingMessage[] {
    const stored = messages.map((m) => ({ ...clone(m), id: String(this.nextOutboxId++) }));
    this.outbox.push(...stored);
    return stored;
  }
}

/** What an event row keeps, like the SQL store: the public fields, not the aggregate's facts. */
function storedEvent(e: RunEvent): RunEvent {
  return clone({ seq: e.seq, type: e.type, taskKey: e.taskKey, attempt: e.attempt, at: e.at, data: e.data });
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
