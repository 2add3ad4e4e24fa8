import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DecisionContext } from '../../domain/run/run-events.js';
import type { DefinitionRef, Json, RunSnapshot } from '../../domain/run/run-snapshot.js';
import { WorkflowRun } from '../../domain/run/workflow-run.js';
import { NotFoundError } from '../errors.js';
import type { CommittedOutboxPublisher, MessageRouting } from '../ports/message-routing.js';
import type { ResultMessage } from '../ports/messages.js';
import {
  inSpan,
  traceAttributes as attr,
  untraced,
  type RunTracing,
  type TraceSpan,
} from '../ports/run-tracing.js';
import {
  ConcurrencyError,
  DuplicateIdempotencyKeyError,
  type NewRunWrite,
  type RunStore,
  type RunWrite,
  type StoredOutgoingMessage,
} from '../ports/run-store.js';
import { DecisionTrace } from './decision-trace.js';
import { dispatchMessage, toOutcome } from './task-dispatch.js';
import type { DefinitionCatalog } from './definition-catalog.js';
import { GroupCommit } from './group-commit.js';
import { RunLoader } from './run-loader.js';
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
  /** The definition each written run follows, by run id (metrics label attempts by task type). */
  definitions: ReadonlyMap<string, WorkflowDefinition>;
}

const MAX_CONFLICT_RETRIES = 10;

/** A decision on loaded runs; returns the runs to decide on again from fresh state, if any. */
type Act = (
  runs: Map<string, WorkflowRun>,
  ctx: DecisionContext,
  cached: ReadonlySet<string>,
) => Set<string> | void;

export type CommittedListener = (committed: Committed) => void | Promise<void>;

/**
 * The orchestrating saga (process manager): loads runs, lets the `WorkflowRun` aggregate
 * decide, and saves state, events and outbox rows atomically with optimistic locking; after
 * commit it hands the outbox rows to the inline publisher and arms near timers.
 */
export class RunOrchestrator {
  private readonly runs = new RunLoader(this.store, this.definitions);
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
    private readonly tracing: RunTracing = untraced,
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
    if (!this.tracing.enabled) return this.start(spec, null);
    // The run's trace is the request's: `run.start` hangs under the span active now (the API's).
    const span = this.tracing.startSpan('run.start', {
      parent: { active: true },
      attributes: { 'sagaflow.definition': spec.definitionRef.name },
    });
    return inSpan(
      span,
      () => this.start(spec, span),
      ({ run, created }) => span.setAttributes({ [attr.runId]: run.id, 'sagaflow.created': created }),
    );
  }

  private async start(
    spec: StartRunSpec,
    span: TraceSpan | null,
  ): Promise<{ run: RunSnapshot; created: boolean }> {
    const traceParent = span?.traceparent;
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
      const messages = changes.dispatches.map((d) => dispatchMessage(run.id, d, this.routing, traceParent));
      try {
        const inline = spec.definitionRef.inline ? spec.definition : null;
        const outbox = await this.starts.submit({
          snapshot,
          inlineDefinition: inline,
          changes,
          outbox: messages,
          checkLatest,
          traceParent: traceParent ?? null,
        });
        this.runs.put(snapshot, spec.definition, traceParent ?? null);
        const definitions = new Map([[snapshot.id, spec.definition]]);
        await this.afterCommit({ writes: [{ snapshot, expectedVersion: 0, changes }], outbox, definitions });
        return { run: snapshot, created: true };
      } catch (error) {
        // A concurrent start with the same key won the insert: return its run on the next pass.
        if (!(error instanceof DuplicateIdempotencyKeyError) || attempt > 0) throw error;
      }
    }
  }

  /**
   * Applies a batch of worker results, in order, in one atomic write. `traceparents[i]` is the
   * trace context the i-th result's message carried (tracing on only).
   */
  async applyResults(
    messages: readonly ResultMessage[],
    traceparents?: readonly (string | undefined)[],
  ): Promise<void> {
    if (messages.length === 0) return;
    const ids = [...new Set(messages.map((m) => m.runId))];
    const trace = DecisionTrace.forBatch(this.tracing, messages.length, ids.length);
    await this.decide(ids, trace, (runs, ctx, cached) => {
      // A result the run ignores is normally a duplicate or a late one; but if the run came from
      // the cache, its state may be older than the attempt the result is for (another process
      // moved the run on), and ignoring would lose the result: decide again from the database.
      const doubtful = new Set<string>();
      messages.forEach((message, i) => {
        const run = runs.get(message.runId);
        if (!run) return;
        const span = trace?.result(run, message, i, traceparents?.[i]);
        const applied = run.applyOutcome(toOutcome(message), ctx);
        span?.setAttributes({ 'sagaflow.applied': applied });
        if (!applied && cached.has(message.runId)) doubtful.add(message.runId);
      });
      return doubtful;
    });
  }

  /** Fires the due durable timers of up to `limit` runs; returns how many runs were due. */
  async fireDueTimers(limit = 200): Promise<number> {
    const ids = await this.store.runsWithDueTimers(new Date(), limit);
    if (ids.length === 0) return 0;
    // The database says these are due: decide on its state, not on a possibly older cached one.
    this.runs.forget(ids);
    await this.fireTimers(ids, 'sweep');
    return ids.length;
  }

  async fireRunTimers(runId: string): Promise<void> {
    await this.fireTimers([runId], 'alarm');
  }

  private async fireTimers(ids: string[], source: 'alarm' | 'sweep'): Promise<void> {
    const trace = DecisionTrace.start(this.tracing);
    await this.decide(ids, trace, (runs, ctx) => {
      for (const run of runs.values()) {
        const from = run.pendingDispatchCount;
        if (run.fireDueTimers(ctx)) trace?.timer(run, from, source);
      }
    });
  }

  /**
   * Runs an operator command (cancel, retry) against one run; returns the run as committed.
   * `name` is its span in the run's trace (`run.cancel`, `run.retry`).
   */
  async command(
    runId: string,
    act: (run: WorkflowRun, ctx: DecisionContext) => void,
    name = 'run.command',
  ): Promise<{ run: RunSnapshot; definition: WorkflowDefinition }> {
    let result: { run: RunSnapshot; definition: WorkflowDefinition } | null = null;
    const trace = DecisionTrace.start(this.tracing);
    const { published } = await this.decide([runId], trace, (runs, ctx) => {
      const run = runs.get(runId);
      if (!run) throw new NotFoundError(`run ${runId} not found`);
      trace?.command(run, name);
      act(run, ctx);
      result = { run: run.snapshot(), definition: run.definition };
    });
    await published;
    return result!;
  }

  /**
   * Load, decide, save; on a version conflict, all over again with fresh state. Resolves once
   * committed, with what the committed listeners are doing about it. `trace` (tracing on) holds
   * the decision's spans, ended once it committed or failed.
   */
  private decide(
    ids: string[],
    trace: DecisionTrace | null,
    act: Act,
  ): Promise<{ published: Promise<void> }> {
    return trace ? trace.around(() => this.decideNow(ids, trace, act)) : this.decideNow(ids, null, act);
  }

  private async decideNow(
    ids: string[],
    trace: DecisionTrace | null,
    act: Act,
  ): Promise<{ published: Promise<void> }> {
    for (let attempt = 1; ; attempt++) {
      const { runs, cached, traceParents } = await DecisionTrace.store(trace, () => this.runs.load(ids));
      trace?.begin(traceParents);
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
