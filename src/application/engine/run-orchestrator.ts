import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DecisionContext } from '../../domain/run/run-events.js';
import type { DefinitionRef, Json, RunSnapshot } from '../../domain/run/run-snapshot.js';
import { WorkflowRun } from '../../domain/run/workflow-run.js';
import { NotFoundError } from '../errors.js';
import type { CommittedOutboxPublisher, MessageRouting } from '../ports/message-routing.js';
import type { ResultMessage } from '../ports/messages.js';
import {
  ConcurrencyError,
  DuplicateIdempotencyKeyError,
  type LoadedRun,
  type NewRunWrite,
  type RunStore,
  type RunWrite,
  type StoredOutgoingMessage,
} from '../ports/run-store.js';
import { dispatchMessage, toOutcome } from './task-dispatch.js';
import type { DefinitionCatalog } from './definition-catalog.js';
import { GroupCommit } from './group-commit.js';
import { RunCache } from './run-cache.js';
import { TimerScheduler } from './timer-scheduler.js';

export interface StartRunSpec {
  definition: WorkflowDefinition;
  /** The definition is a cached guess at the latest version: insert only if it still is. */
  checkLatest: boolean;
  definitionRef: DefinitionRef;
  input: Json;
  priority: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** What one atomic write committed: the runs' new state and events, and the outbox rows. */
export interface Committed {
  writes: RunWrite[];
  outbox: StoredOutgoingMessage[];
}

const MAX_CONFLICT_RETRIES = 10;

export type CommittedListener = (committed: Committed) => void | Promise<void>;

/**
 * The orchestrating saga (process manager): loads runs, lets the `WorkflowRun` aggregate
 * decide, and saves state, events and outbox rows atomically with optimistic locking; after
 * commit it hands the outbox rows to the inline publisher and arms near timers.
 */
export class RunOrchestrator {
  private readonly runs = new RunCache();
  /** Run starts arriving together are inserted together (see GroupCommit). */
  private readonly starts = new GroupCommit<NewRunWrite, StoredOutgoingMessage[]>((items) =>
    this.store.insertRuns(items).then((stored) => {
      const byId = new Map(stored.map((m) => [m.messageId, m]));
      return items.map((item) => item.outbox.map((m) => byId.get(m.messageId)!));
    }),
  );
  readonly timers: TimerScheduler;
  private readonly committedListeners: CommittedListener[] = [];

  constructor(
    private readonly store: RunStore,
    private readonly definitions: DefinitionCatalog,
    private readonly routing: MessageRouting,
    private readonly publisher: CommittedOutboxPublisher,
    onError: (error: unknown) => void,
  ) {
    this.timers = new TimerScheduler((runId) => this.fireRunTimers(runId), onError);
  }

  /** Drops every cached run: ownership of shards changed, so others may have moved them on. */
  forgetCachedRuns(): void {
    this.runs.clear();
  }

  /**
   * `listener` runs after every commit. Operator commands and run starts wait for what it
   * returns before they answer (so the read side knows of the change: read-your-writes); the
   * result hot path does not wait. It must not reject.
   */
  onCommitted(listener: CommittedListener): void {
    this.committedListeners.push(listener);
  }

  /** Creates and starts a run; with an idempotency key already used, returns that run instead. */
  async startRun(spec: StartRunSpec): Promise<{ run: RunSnapshot; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      if (spec.idempotencyKey !== null) {
        const existing = await this.store.findRunByIdempotencyKey(spec.idempotencyKey);
        if (existing) return { run: existing.snapshot, created: false };
      }
      const { checkLatest, ...newRun } = spec;
      const run = WorkflowRun.create({ id: randomUUID(), ...newRun }, context());
      const changes = run.pullChanges();
      run.markSaved(1);
      const snapshot = run.snapshot();
      const messages = changes.dispatches.map((d) => dispatchMessage(run.id, d, this.routing));
      try {
        const inline = spec.definitionRef.inline ? spec.definition : null;
        const outbox = await this.starts.submit({
          snapshot,
          inlineDefinition: inline,
          changes,
          outbox: messages,
          checkLatest,
        });
        this.runs.put(snapshot, spec.definition);
        await this.afterCommit({ writes: [{ snapshot, expectedVersion: 0, changes }], outbox });
        return { run: snapshot, created: true };
      } catch (error) {
        // A concurrent start with the same key won the insert: return its run on the next pass.
        if (!(error instanceof DuplicateIdempotencyKeyError) || attempt > 0) throw error;
      }
    }
  }

  /** Applies a batch of worker results, in order, in one atomic write. */
  async applyResults(messages: readonly ResultMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const ids = [...new Set(messages.map((m) => m.runId))];
    await this.decide(ids, (runs, ctx, cached) => {
      // A result the run ignores is normally a duplicate or a late one; but if the run came from
      // the cache, its state may be older than the attempt the result is for (another process
      // moved the run on), and ignoring would lose the result: decide again from the database.
      const doubtful = new Set<string>();
      for (const message of messages) {
        const run = runs.get(message.runId);
        if (run && !run.applyOutcome(toOutcome(message), ctx) && cached.has(message.runId)) {
          doubtful.add(message.runId);
        }
      }
      return doubtful;
    });
  }

  /** Fires the due durable timers of up to `limit` runs; returns how many runs were due. */
  async fireDueTimers(limit = 200): Promise<number> {
    const ids = await this.store.runsWithDueTimers(new Date(), limit);
    if (ids.length === 0) return 0;
    // The database says these are due: decide on its state, not on a possibly older cached one.
    this.runs.forget(ids);
    await this.decide(ids, (runs, ctx) => {
      for (const run of runs.values()) run.fireDueTimers(ctx);
    });
    return ids.length;
  }

  async fireRunTimers(runId: string): Promise<void> {
    await this.decide([runId], (runs, ctx) => {
      runs.get(runId)?.fireDueTimers(ctx);
    });
  }

  /** Runs an operator command (cancel, retry) against one run; returns the run as committed. */
  async command(
    runId: string,
    act: (run: WorkflowRun, ctx: DecisionContext) => void,
  ): Promise<{ run: RunSnapshot; definition: WorkflowDefinition }> {
    let result: { run: RunSnapshot; definition: WorkflowDefinition } | null = null;
    const { published } = await this.decide([runId], (runs, ctx) => {
      const run = runs.get(runId);
      if (!run) throw new NotFoundError(`run ${runId} not found`);
      act(run, ctx);
      result = { run: run.snapshot(), definition: run.definition };
    });
    await published;
    return result!;
  }

  /**
   * Load, decide, save; on a version conflict, all over again with fresh state. Resolves once
   * committed, with what the committed listeners are doing about it.
   */
  private async decide(
    ids: string[],
    act: (
      runs: Map<string, WorkflowRun>,
      ctx: DecisionContext,
      cached: ReadonlySet<string>,
    ) => Set<string> | void,
  ): Promise<{ published: Promise<void> }> {
    for (let attempt = 1; ; attempt++) {
      const { runs, cached } = await this.load(ids);
      const doubtful = act(runs, context(), cached);
      if (doubtful && doubtful.size > 0) {
        // Throw this decision away and take it again on fresh state (nothing was written).
        this.runs.forget(doubtful);
        continue;
      }
      const writes: RunWrite[] = [];
      for (const run of runs.values()) {
        const changes = run.pullChanges();
        if (changes.events.length === 0 && changes.changedTasks.length === 0) continue;
        const expectedVersion = run.version;
        run.markSaved(expectedVersion + 1);
        writes.push({ snapshot: run.snapshot(), expectedVersion, changes });
      }
      if (writes.length === 0) return { published: Promise.resolve() };
      const messages = writes.flatMap((w) =>
        w.changes.dispatches.map((d) => dispatchMessage(w.snapshot.id, d, this.routing)),
      );
      try {
        const outbox = await this.store.saveRuns(writes, messages);
        for (const w of writes) this.runs.put(w.snapshot, runs.get(w.snapshot.id)!.definition);
        return { published: this.afterCommit({ writes, outbox }) };
      } catch (error) {
        // Cached or loaded, some run moved under us: read them all again.
        this.runs.forget(ids);
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }

  /** Hot runs from the cache, the rest from the store; says which came from the cache. */
  private async load(
    ids: readonly string[],
  ): Promise<{ runs: Map<string, WorkflowRun>; cached: Set<string> }> {
    const runs = new Map<string, WorkflowRun>();
    const cached = new Set<string>();
    const missing: string[] = [];
    for (const id of ids) {
      const entry = this.runs.get(id);
      if (entry) {
        runs.set(id, WorkflowRun.restore(entry.snapshot, entry.definition));
        cached.add(id);
      } else missing.push(id);
    }
    for (const loaded of await this.store.loadRuns(missing)) {
      runs.set(loaded.snapshot.id, await this.restore(loaded));
    }
    return { runs, cached };
  }

  private async restore(loaded: LoadedRun): Promise<WorkflowRun> {
    const ref = loaded.snapshot.definitionRef;
    const definition = loaded.inlineDefinition ?? (await this.registeredDefinition(ref.name, ref.version!));
    return WorkflowRun.restore(loaded.snapshot, definition);
  }

  private async registeredDefinition(name: string, version: number): Promise<WorkflowDefinition> {
    const definition = await this.definitions.version(name, version);
    if (!definition) throw new Error(`definition ${name}@${version} of a stored run is missing`);
    return definition;
  }

  private afterCommit(committed: Committed): Promise<void> {
    if (committed.outbox.length > 0) this.publisher.publishCommitted(committed.outbox);
    for (const write of committed.writes) {
      this.timers.schedule(write.snapshot.id, WorkflowRun.earliestTimer(write.snapshot));
    }
    if (this.committedListeners.length === 0) return Promise.resolve();
    return Promise.all(this.committedListeners.map(async (listener) => listener(committed))).then(
      () => undefined,
    );
  }
}

function context(): DecisionContext {
  return { now: new Date(), random: Math.random };
}
