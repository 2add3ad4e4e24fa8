import { dependentsOf, topologicalOrder } from '../definition/dag.js';
import { indexDefinition } from '../definition/plan.js';
import { resolveTemplate, type TemplateContext } from '../definition/template.js';
import type { TaskDefinition, WorkflowDefinition } from '../definition/workflow-definition.js';
import { DELAY_TYPE } from '../definition/workflow-definition.js';
import { InvalidStateError } from '../shared/domain-error.js';
import { compensationsReady, isQuiescent, type RunGraph } from './compensation-planner.js';
import { emptyExecution } from './execution.js';
import type {
  AttemptOutcome,
  DecisionContext,
  Dispatch,
  RunChanges,
  RunEvent,
  RunEventType,
} from './run-events.js';
import type { DefinitionRef, Json, RunError, RunSnapshot, TaskRunSnapshot } from './run-snapshot.js';
import { assertRunTransition, type RunStatus } from './run-status.js';
import { TaskExecutions, type RunHost } from './task-executions.js';
import { assertTaskTransition, type TaskStatus } from './task-status.js';

export interface NewRun {
  id: string;
  definition: WorkflowDefinition;
  definitionRef: DefinitionRef;
  input: Json;
  priority: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/**
 * The run aggregate: decides everything SPEC §3 asks — what to queue next, when to retry,
 * when to skip, the compensation order and the final status. Given a command or a worker's
 * outcome it changes its own state and records events and dispatches; `pullChanges()` hands
 * them to the application layer once. It never does I/O.
 */
export class WorkflowRun implements RunHost {
  private events: RunEvent[] = [];
  private dispatches: Dispatch[] = [];
  private changed = new Set<number>();
  private readonly executions: TaskExecutions;

  private constructor(
    private readonly state: RunSnapshot,
    readonly definition: WorkflowDefinition,
    private readonly graph: RunGraph & { indexOf: Map<string, number> },
  ) {
    this.executions = new TaskExecutions(this);
  }

  static create(spec: NewRun, ctx: DecisionContext): WorkflowRun {
    const run = new WorkflowRun(
      {
        id: spec.id,
        definitionRef: spec.definitionRef,
        status: 'PENDING',
        input: spec.input,
        output: null,
        error: null,
        priority: spec.priority,
        idempotencyKey: spec.idempotencyKey,
        requestHash: spec.requestHash,
        cancelRequested: false,
        cancelReason: null,
        lastSeq: 0,
        version: 0,
        createdAt: ctx.now,
        startedAt: null,
        finishedAt: null,
        tasks: spec.definition.tasks.map((t, index) => ({
          key: t.key,
          index,
          status: 'PENDING',
          ...emptyExecution(),
          compensation: t.compensation ? { status: 'PENDING', ...emptyExecution() } : null,
        })),
      },
      spec.definition,
      graphOf(spec.definition),
    );
    run.start(ctx);
    return run;
  }

  static restore(snapshot: RunSnapshot, definition: WorkflowDefinition): WorkflowRun {
    return new WorkflowRun(structuredClone(snapshot), definition, graphOf(definition));
  }

  get id(): string {
    return this.state.id;
  }
  get status(): RunStatus {
    return this.state.status;
  }
  get version(): number {
    return this.state.version;
  }

  snapshot(): RunSnapshot {
    return structuredClone(this.state);
  }

  /** The changes since the last pull; each change is handed out once. */
  pullChanges(): RunChanges {
    const changes: RunChanges = {
      events: this.events,
      dispatches: this.dispatches,
      changedTasks: [...this.changed].sort((a, b) => a - b).map((i) => this.state.tasks[i]!.key),
    };
    this.events = [];
    this.dispatches = [];
    this.changed = new Set();
    return changes;
  }

  /** Marks the current state as saved under `version`. */
  markSaved(version: number): void {
    this.state.version = version;
  }

  /** Earliest durable timer of any task or compensation, so a process can wake for it. */
  nextTimerAt(): Date | null {
    return WorkflowRun.earliestTimer(this.state);
  }

  /** Earliest timer of a saved snapshot, without rebuilding the aggregate. */
  static earliestTimer(snapshot: RunSnapshot): Date | null {
    let next: Date | null = null;
    for (const t of snapshot.tasks) {
      for (const at of [t.timerAt, t.compensation?.timerAt ?? null]) {
        if (at && (!next || at < next)) next = at;
      }
    }
    return next;
  }

  // ---- commands ----------------------------------------------------------------------------

  /** Applies a worker's report. Returns false, recording nothing, when it is not for the attempt in flight. */
  applyOutcome(outcome: AttemptOutcome, ctx: DecisionContext): boolean {
    const i = this.graph.indexOf.get(outcome.taskKey);
    if (i === undefined) return false;
    const applied =
      outcome.kind === 'task'
        ? this.executions.applyTaskOutcome(i, outcome, ctx)
        : this.executions.applyCompensationOutcome(i, outcome, ctx);
    if (applied) this.progress(ctx);
    return applied;
  }

  /** Fires every timer that is due: retry backoffs, `delay` completions and safety timeouts. */
  fireDueTimers(ctx: DecisionContext): boolean {
    let fired = false;
    this.state.tasks.forEach((_, i) => {
      // Progress after each task, so a failure for good stops retries due in the same batch (rule 2).
      if (!this.executions.fireTimers(i, ctx)) return;
      fired = true;
      this.progress(ctx);
    });
    return fired;
  }

  cancel(reason: string | null, ctx: DecisionContext): boolean {
    if (this.state.status === 'CANCELLING') return false;
    if (this.state.status !== 'RUNNING') {
      throw new InvalidStateError(
        `run ${this.id} is ${this.state.status}; only a RUNNING run can be cancelled`,
      );
    }
    this.state.cancelRequested = true;
    this.state.cancelReason = reason;
    this.setStatus('CANCELLING');
    this.record(ctx, 'RunCancelRequested', null, null, { reason });
    this.beginUnwinding(ctx);
    return true;
  }

  retry(ctx: DecisionContext): void {
    const from = this.state.status;
    if (from === 'FAILED') {
      this.setStatus('RUNNING');
      this.state.error = null;
      this.state.finishedAt = null;
      this.record(ctx, 'RunRetried', null, null, { from });
      this.state.tasks.forEach((t, i) => {
        if (t.status === 'FAILED') t.budgetBase = t.attempt;
        if (t.status === 'FAILED' || t.status === 'SKIPPED' || t.status === 'CANCELLED') {
          this.setTaskStatus(i, 'PENDING');
          t.error = null;
        }
      });
      this.queueReadyTasks(ctx);
      return;
    }
    if (from === 'COMPENSATION_FAILED') {
      this.setStatus(this.state.cancelRequested ? 'CANCELLING' : 'COMPENSATING');
      this.state.finishedAt = null;
      this.record(ctx, 'RunRetried', null, null, { from });
      this.state.tasks.forEach((t, i) => {
        if (t.status !== 'COMPENSATION_FAILED' || !t.compensation) return;
        t.compensation.budgetBase = t.compensation.attempt;
        this.executions.queueCompensation(i, ctx);
      });
      this.progress(ctx);
      return;
    }
    throw new InvalidStateError(
      `run ${this.id} is ${from}; only FAILED or COMPENSATION_FAILED runs can be retried`,
    );
  }

  // ---- decisions ---------------------------------------------------------------------------

  private start(ctx: DecisionContext): void {
    this.setStatus('RUNNING');
    this.state.startedAt = ctx.now;
    this.record(ctx, 'RunStarted', null, null, {
      definition: this.state.definitionRef.name,
      version: this.state.definitionRef.version,
    });
    this.queueReadyTasks(ctx);
  }

  /** Moves the run on after any change: next tasks, completion, compensation, final status. */
  private progress(ctx: DecisionContext): void {
    const status = this.state.status;
    if (status === 'RUNNING') {
      const failed = this.state.tasks.find((t) => t.status === 'FAILED');
      if (failed) {
        this.fail({ taskKey: failed.key, message: failed.error?.message ?? 'task failed' }, ctx);
        return;
      }
      this.queueReadyTasks(ctx);
      if (this.state.tasks.every((t) => t.status === 'COMPLETED')) this.complete(ctx);
    } else if (status === 'COMPENSATING' || status === 'CANCELLING') {
      this.unwind(ctx);
    }
  }

  private queueReadyTasks(ctx: DecisionContext): void {
    for (const i of this.graph.order) {
      const task = this.state.tasks[i]!;
      if (task.status !== 'PENDING') continue;
      if (this.graph.deps[i]!.every((d) => this.state.tasks[d]!.status === 'COMPLETED')) {
        this.executions.queueTask(i, ctx);
        // Its input did not resolve: queue nothing more (rule 2).
        if (this.state.tasks[i]!.status === 'FAILED') break;
      }
    }
    // A task whose input could not be resolved fails at queue time; that fails the run.
    const failed = this.state.tasks.find((t) => t.status === 'FAILED');
    if (failed && this.state.status === 'RUNNING') {
      this.fail({ taskKey: failed.key, message: failed.error?.message ?? 'task failed' }, ctx);
    }
  }

  private complete(ctx: DecisionContext): void {
    const output = this.runOutput();
    if (!output.ok) {
      this.fail({ taskKey: null, message: `run output: ${output.message}` }, ctx);
      return;
    }
    this.state.output = output.value;
    this.finish('COMPLETED', 'RunCompleted', ctx);
  }

  private fail(error: RunError, ctx: DecisionContext): void {
    this.state.error = error;
    this.setStatus('COMPENSATING');
    this.beginUnwinding(ctx);
  }

  /** SPEC §3 rule 2: nothing new is queued; pending work is skipped or cancelled at once. */
  private beginUnwinding(ctx: DecisionContext): void {
    this.state.tasks.forEach((t, i) => {
      const def = this.definition.tasks[i]!;
      if (t.status === 'PENDING') {
        this.setTaskStatus(i, 'SKIPPED');
        this.record(ctx, 'TaskSkipped', t.key, null, {});
      } else if (t.status === 'RETRYING' || (t.status === 'RUNNING' && def.type === DELAY_TYPE)) {
        this.setTaskStatus(i, 'CANCELLED');
        t.timerAt = null;
        t.finishedAt = ctx.now;
        this.record(ctx, 'TaskCancelled', t.key, t.attempt, {});
      }
    });
    this.unwind(ctx);
  }

  private unwind(ctx: DecisionContext): void {
    for (const i of compensationsReady(this.graph, this.definition.tasks, this.state.tasks)) {
      this.executions.queueCompensation(i, ctx);
    }
    if (!isQuiescent(this.state.tasks)) return;
    const tasks = this.state.tasks;
    if (tasks.some((t) => t.status === 'COMPENSATION_FAILED')) {
      this.finish('COMPENSATION_FAILED', 'RunCompensationFailed', ctx);
    } else if (this.state.status === 'CANCELLING') {
      this.finish('CANCELLED', 'RunCancelled', ctx);
    } else if (tasks.some((t) => t.status === 'COMPENSATED')) {
      this.finish('COMPENSATED', 'RunCompensated', ctx);
    } else {
      this.finish('FAILED', 'RunFailed', ctx);
    }
  }

  private finish(status: RunStatus, type: RunEventType, ctx: DecisionContext): void {
    this.setStatus(status);
    this.state.finishedAt = ctx.now;
    this.record(ctx, type, null, null, this.state.error ? { error: { ...this.state.error } } : {});
  }

  private runOutput(): { ok: true; value: Json } | { ok: false; message: string } {
    if (this.definition.output !== null)
      return resolveTemplate(this.definition.output, this.templateContext());
    const output: Record<string, Json> = {};
    this.state.tasks.forEach((t, i) => {
      if (this.graph.dependents[i]!.length === 0) output[t.key] = t.output;
    });
    return { ok: true, value: output };
  }

  // ---- helpers used by TaskExecutions -------------------------------------------------------

  /** @internal */
  taskAt(i: number): { task: TaskRunSnapshot; definition: TaskDefinition } {
    return { task: this.state.tasks[i]!, definition: this.definition.tasks[i]! };
  }

  /** @internal Marks a task row as changed. */
  touch(i: number): void {
    this.changed.add(i);
  }

  /** @internal */
  isAcceptingWork(): boolean {
    return this.state.status === 'RUNNING';
  }

  /** @internal */
  templateContext(task?: { key: string; attempt: number }): TemplateContext {
    const outputs = new Map<string, Json>();
    for (const t of this.state.tasks) {
      if (
        t.status === 'COMPLETED' ||
        t.status === 'COMPENSATING' ||
        t.status === 'COMPENSATED' ||
        t.status === 'COMPENSATION_FAILED'
      ) {
        outputs.set(t.key, t.output);
      }
    }
    return { input: this.state.input, tasks: outputs, runId: this.state.id, ...(task ? { task } : {}) };
  }

  /** @internal */
  setTaskStatus(i: number, to: TaskStatus): void {
    const task = this.state.tasks[i]!;
    assertTaskTransition(task.status, to);
    task.status = to;
    this.changed.add(i);
  }

  /** @internal */
  dispatch(d: Dispatch): void {
    this.dispatches.push(this.state.priority === null ? d : { ...d, priority: this.state.priority });
  }

  /** @internal */
  record(
    ctx: DecisionContext,
    type: RunEventType,
    taskKey: string | null,
    attempt: number | null,
    data: RunEvent['data'],
  ): void {
    this.state.lastSeq += 1;
    this.events.push({ seq: this.state.lastSeq, type, taskKey, attempt, at: ctx.now, data });
  }

  private setStatus(to: RunStatus): void {
    assertRunTransition(this.state.status, to);
    this.state.status = to;
  }
}

function graphOf(definition: WorkflowDefinition): RunGraph & { indexOf: Map<string, number> } {
  const { indexOf, deps } = indexDefinition(definition);
  return { indexOf, deps, order: topologicalOrder(deps).order, dependents: dependentsOf(deps) };
}
