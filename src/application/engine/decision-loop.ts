import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DecisionContext } from '../../domain/run/run-events.js';
import { WorkflowRun } from '../../domain/run/workflow-run.js';
import type { Clock } from '../ports/clock.js';
import type { CommittedOutboxPublisher, MessageRouting } from '../ports/message-routing.js';
import {
  ConcurrencyError,
  type RunStore,
  type RunWrite,
  type StoredOutgoingMessage,
} from '../ports/run-store.js';
import { DecisionTrace } from './decision-trace.js';
import type { DefinitionCatalog } from './definition-catalog.js';
import { RunLoader } from './run-loader.js';
import { dispatchMessage } from './task-dispatch.js';
import type { TimerScheduler } from './timer-scheduler.js';

/** What one atomic write committed: the runs' new state and events, and the outbox rows. */
export interface Committed {
  writes: RunWrite[];
  outbox: StoredOutgoingMessage[];
  /** The definition each written run follows, by run id (metrics label attempts by task type). */
  definitions: ReadonlyMap<string, WorkflowDefinition>;
}

export type CommittedListener = (committed: Committed) => void | Promise<void>;

/** A decision on loaded runs; returns the runs to decide on again from fresh state, if any. */
export type Act = (
  runs: Map<string, WorkflowRun>,
  ctx: DecisionContext,
  cached: ReadonlySet<string>,
) => Set<string> | void;

const MAX_CONFLICT_RETRIES = 10;

/**
 * The loop every use case of the engine shares (docs/architecture.md#the-run-aggregate-decides-the-saga-persists):
 * load runs (hot ones from the cache), let the aggregate decide, save state, events and outbox
 * rows in one version-checked write, and on a conflict do it all again on fresh state. After
 * commit it hands the outbox rows to the inline publisher, arms near timers and tells the
 * committed listeners.
 */
export class DecisionLoop {
  readonly runs: RunLoader;
  private readonly committedListeners: CommittedListener[] = [];

  constructor(
    private readonly store: RunStore,
    definitions: DefinitionCatalog,
    readonly routing: MessageRouting,
    private readonly publisher: CommittedOutboxPublisher,
    private readonly timers: TimerScheduler,
    readonly clock: Clock,
  ) {
    this.runs = new RunLoader(store, definitions);
  }

  /** See RunOrchestrator.onCommitted. */
  onCommitted(listener: CommittedListener): void {
    this.committedListeners.push(listener);
  }

  context(): DecisionContext {
    return { now: this.clock.now(), random: () => this.clock.random() };
  }

  /**
   * Load, decide, save. Resolves once committed, with what the committed listeners are doing
   * about it. `trace` (tracing on) holds the decision's spans, ended once it committed or failed.
   */
  decide(ids: string[], trace: DecisionTrace | null, act: Act): Promise<{ published: Promise<void> }> {
    return trace ? trace.around(() => this.decideNow(ids, trace, act)) : this.decideNow(ids, null, act);
  }

  afterCommit(committed: Committed): Promise<void> {
    if (committed.outbox.length > 0) this.publisher.publishCommitted(committed.outbox);
    for (const write of committed.writes) {
      this.timers.schedule(write.snapshot.id, WorkflowRun.earliestTimer(write.snapshot));
    }
    if (this.committedListeners.length === 0) return Promise.resolve();
    return Promise.all(this.committedListeners.map(async (listener) => listener(committed))).then(
      () => undefined,
    );
  }

  private async decideNow(
    ids: string[],
    trace: DecisionTrace | null,
    act: Act,
  ): Promise<{ published: Promise<void> }> {
    for (let attempt = 1; ; attempt++) {
      const { runs, cached, traceParents } = await DecisionTrace.store(trace, () => this.runs.load(ids));
      trace?.begin(traceParents);
      const doubtful = act(runs, this.context(), cached);
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
        w.changes.dispatches.map((d, i) =>
          dispatchMessage(w.snapshot.id, d, this.routing, trace?.parentOf(w.snapshot.id, i)),
        ),
      );
      try {
        const outbox = await DecisionTrace.store(trace, () => this.store.saveRuns(writes, messages));
        for (const { snapshot: s } of writes) {
          this.runs.put(s, runs.get(s.id)!.definition, traceParents.get(s.id) ?? null);
        }
        const definitions = new Map(writes.map((w) => [w.snapshot.id, runs.get(w.snapshot.id)!.definition]));
        return { published: this.afterCommit({ writes, outbox, definitions }) };
      } catch (error) {
        // Cached or loaded, some run moved under us: read them all again.
        this.runs.forget(ids);
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      }
    }
  }
}
