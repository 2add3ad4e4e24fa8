import { randomUUID } from 'node:crypto';
import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DefinitionRef, Json, RunSnapshot } from '../../domain/run/run-snapshot.js';
import { WorkflowRun } from '../../domain/run/workflow-run.js';
import { inSpan, traceAttributes as attr, type RunTracing, type TraceSpan } from '../ports/run-tracing.js';
import { DuplicateIdempotencyKeyError, type NewRunWrite, type RunStore } from '../ports/run-store.js';
import type { DecisionLoop } from './decision-loop.js';
import { GroupCommit } from './group-commit.js';
import { dispatchMessage } from './task-dispatch.js';

export interface StartRunSpec {
  namespace: string;
  definition: WorkflowDefinition;
  /** The definition is a cached guess at the latest version: insert only if it still is. */
  checkLatest: boolean;
  definitionRef: DefinitionRef;
  input: Json;
  priority: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** One start as the group commit takes it: the row to insert and what its caller keeps. */
interface StartItem {
  write: NewRunWrite;
  definition: WorkflowDefinition;
}

/** What a start's caller gets back once its group committed. */
interface StartCommitted {
  /**
   * The after-commit work of the whole group (publish, timers, listeners), done once per
   * group; it settles when the listeners did, and the start answers after it, as before.
   */
  published: Promise<void>;
}

/** Use case: create runs and queue their first tasks, in one insert per group of starts. */
export class RunStarts {
  /**
   * Run starts arriving together are inserted together (see GroupCommit), and the group's
   * after-commit work (one publish of all first dispatches, one read-side update) is done once
   * for the group rather than once per run (docs/performance.md#the-per-task-path-step-by-step).
   * It runs outside the write, so a failing listener cannot make GroupCommit insert again.
   */
  private readonly starts = new GroupCommit<StartItem, StartCommitted>(async (items) => {
    const stored = await this.store.insertRuns(items.map((i) => i.write));
    const writes = items.map(({ write }) => ({
      snapshot: write.snapshot,
      expectedVersion: 0,
      changes: write.changes,
    }));
    for (const { write, definition } of items)
      this.loop.runs.put(write.snapshot, definition, write.traceParent);
    const published = this.loop.afterCommit({
      writes,
      outbox: stored,
      definitions: new Map(items.map(({ write, definition }) => [write.snapshot.id, definition])),
    });
    // Each caller awaits it; this keeps a rejection from being reported as unhandled meanwhile.
    published.catch(() => undefined);
    return items.map(() => ({ published }));
  });

  constructor(
    private readonly loop: DecisionLoop,
    private readonly store: RunStore,
    private readonly tracing: RunTracing,
  ) {}

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
        const existing = await this.store.findRunByIdempotencyKey(spec.namespace, spec.idempotencyKey);
        if (existing) return { run: existing.snapshot, created: false };
      }
      const { checkLatest, ...newRun } = spec;
      const run = WorkflowRun.create({ id: randomUUID(), ...newRun }, this.loop.context());
      const changes = run.pullChanges();
      run.markSaved(1);
      const snapshot = run.snapshot();
      const messages = changes.dispatches.map((d) =>
        dispatchMessage(run.id, d, this.loop.routing, traceParent),
      );
      try {
        const inline = spec.definitionRef.inline ? spec.definition : null;
        const { published } = await this.starts.submit({
          write: {
            snapshot,
            inlineDefinition: inline,
            changes,
            outbox: messages,
            checkLatest,
            traceParent: traceParent ?? null,
          },
          definition: spec.definition,
        });
        await published;
        return { run: snapshot, created: true };
      } catch (error) {
        // A concurrent start with the same key won the insert: return its run on the next pass.
        if (!(error instanceof DuplicateIdempotencyKeyError) || attempt > 0) throw error;
      }
    }
  }
}
