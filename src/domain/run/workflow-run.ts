import { dependentsOf, topologicalOrder } from '../definition/dag.js';
import { indexDefinition } from '../definition/plan.js';
import type { TemplateContext } from '../definition/template.js';
import type { TaskDefinition, WorkflowDefinition } from '../definition/workflow-definition.js';
import type { RunGraph } from './compensation-planner.js';
import { initialRunState, type NewRun } from './new-run.js';
import type {
  AttemptOutcome,
  DecisionContext,
  Dispatch,
  RunChanges,
  RunEvent,
  RunEventType,
} from './run-events.js';
import type { RunError, RunSnapshot, TaskRunSnapshot } from './run-snapshot.js';
import { cancelRun, retryRun, type CommandHost } from './run-commands.js';
import { assertRunTransition, isUnwinding, type RunStatus } from './run-status.js';
import { runOutputOf, templateContextOf } from './run-templates.js';
import { beginUnwinding, finish, unwind } from './run-unwinding.js';
import type { RunHost } from './run-host.js';
import { TaskExecutions } from './task-executions.js';
import { assertTaskTransition, type TaskStatus } from './task-status.js';

// Kept importable from here, beside the aggregate it starts.
export type { NewRun } from './new-run.js';

/**
 * The run aggregate: decides everything docs/contract.md#runs asks — what to queue next, when to retry,
 * when to skip, the compensation order and the final status. Given a command or a worker's
 * outcome it changes its own state and records events and dispatches; `pullChanges()` hands
 * them to the application layer once. It never does I/O.
 *
 * This file holds forward progress and the change log. The attempt mechanics (TaskExecutions),
 * the unwinding and final status (run-unwinding) and the operator commands (run-commands) work
 * on the run through the host interfaces it implements, so none of them imports it.
 */
export class WorkflowRun implements RunHost {
  private events: RunEvent[] = [];
  private dispatches: Dispatch[] = [];
  private changed = new Set<number>();
  private readonly executions: TaskExecutions;
  /** What the unwinding and command helpers may touch; the state stays private to the run. */
  private readonly host: CommandHost;

  private constructor(
    private readonly state: RunSnapshot,
    readonly definition: WorkflowDefinition,
    private readonly graph: RunGraph & { indexOf: Map<string, number> },
  ) {
    this.executions = new TaskExecutions(this);
    this.host = {
      state,
      definition,
      graph,
      setTaskStatus: (i, to) => this.setTaskStatus(i, to),
      record: (ctx, type, taskKey, attempt, data) => this.record(ctx, type, taskKey, attempt, data),
      setStatus: (to) => this.setStatus(to),
      queueCompensation: (i, ctx) => this.executions.queueCompensation(i, ctx),
      queueReadyTasks: (ctx) => this.queueReadyTasks(ctx),
      progress: (ctx) => this.progress(ctx),
    };
  }

  static create(spec: NewRun, ctx: DecisionContext): WorkflowRun {
    const run = new WorkflowRun(initialRunState(spec, ctx.now), spec.definition, graphOf(spec.definition));
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

  /**
   * Dispatches recorded since the last pull. Read before and after applying an input, it tells
   * which dispatches that input caused (the application attributes them to its trace span).
   */
  get pendingDispatchCount(): number {
    return this.dispatches.length;
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
    return cancelRun(this.host, reason, ctx);
  }

  retry(ctx: DecisionContext): void {
    retryRun(this.host, ctx);
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
    } else if (isUnwinding(status)) {
      unwind(this.host, ctx);
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
    const output = runOutputOf(this.definition, this.state, this.graph.dependents);
    if (!output.ok) {
      this.fail({ taskKey: null, message: `run output: ${output.message}` }, ctx);
      return;
    }
    this.state.output = output.value;
    finish(this.host, 'COMPLETED', 'RunCompleted', ctx);
  }

  private fail(error: RunError, ctx: DecisionContext): void {
    this.state.error = error;
    this.setStatus('COMPENSATING');
    beginUnwinding(this.host, ctx);
  }

  // ---- helpers used by TaskExecutions, unwinding and the commands ----------------------------

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
    return templateContextOf(this.state, task);
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
