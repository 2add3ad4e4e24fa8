import type { RetryPolicy } from '../definition/retry-policy.js';
import { resolveTemplate } from '../definition/template.js';
import type { TaskConfig } from '../definition/task-config.js';
import { DELAY_TYPE, type TaskDefinition } from '../definition/workflow-definition.js';
import type { TemplateContext } from '../definition/template.js';
import { addMs, decideRetry, QUEUE_ALLOWANCE_MS, START_GRACE_MS } from './execution.js';
import type {
  AttemptFailure,
  AttemptOutcome,
  DecisionContext,
  Dispatch,
  RunEvent,
  RunEventType,
} from './run-events.js';
import type { CompensationSnapshot, ExecutionSnapshot, Json, TaskRunSnapshot } from './run-snapshot.js';
import { assertCompensationTransition, type TaskStatus } from './task-status.js';

/** What the executions need from their run; the aggregate implements it. */
export interface RunHost {
  taskAt(i: number): { task: TaskRunSnapshot; definition: TaskDefinition };
  touch(i: number): void;
  isAcceptingWork(): boolean;
  templateContext(task?: { key: string; attempt: number }): TemplateContext;
  setTaskStatus(i: number, to: TaskStatus): void;
  dispatch(d: Dispatch): void;
  record(
    ctx: DecisionContext,
    type: RunEventType,
    taskKey: string | null,
    attempt: number | null,
    data: RunEvent['data'],
  ): void;
}

interface Step {
  kind: 'task' | 'compensation';
  type: string;
  input: Json;
  config: TaskConfig;
  retry: RetryPolicy;
}

const LOST_WORKER: AttemptFailure = {
  message: 'no result from a worker within the attempt timeout',
  code: 'timeout',
  retryable: true,
};

/**
 * The attempt mechanics of one run's tasks and compensations: queueing an attempt, applying
 * its outcome, retry backoff and durable timers. Both kinds share one life cycle; only the
 * status names and event names differ.
 */
export class TaskExecutions {
  constructor(private readonly run: RunHost) {}

  queueTask(i: number, ctx: DecisionContext): void {
    const { task, definition } = this.run.taskAt(i);
    this.run.touch(i);
    this.queue(i, task, { kind: 'task', ...definition, config: definition, retry: definition.retry }, ctx);
  }

  queueCompensation(i: number, ctx: DecisionContext): void {
    const { task, definition } = this.run.taskAt(i);
    const comp = definition.compensation;
    if (!comp || !task.compensation) return;
    this.run.touch(i);
    this.run.setTaskStatus(i, 'COMPENSATING');
    this.queue(i, task.compensation, { kind: 'compensation', ...comp, config: comp, retry: comp.retry }, ctx);
  }

  applyTaskOutcome(i: number, outcome: AttemptOutcome, ctx: DecisionContext): boolean {
    const { task, definition } = this.peek(i);
    if ((task.status !== 'QUEUED' && task.status !== 'RUNNING') || task.attempt !== outcome.attempt)
      return false;
    if (outcome.outcome === 'started' && task.status === 'RUNNING') return false;
    this.run.touch(i);
    this.settle(
      i,
      task,
      { kind: 'task', ...definition, config: definition, retry: definition.retry },
      outcome,
      ctx,
    );
    return true;
  }

  applyCompensationOutcome(i: number, outcome: AttemptOutcome, ctx: DecisionContext): boolean {
    const { task, definition } = this.peek(i);
    const comp = task.compensation;
    if (!comp || !definition.compensation) return false;
    if ((comp.status !== 'QUEUED' && comp.status !== 'RUNNING') || comp.attempt !== outcome.attempt)
      return false;
    if (outcome.outcome === 'started' && comp.status === 'RUNNING') return false;
    this.run.touch(i);
    const def = definition.compensation;
    this.settle(i, comp, { kind: 'compensation', ...def, config: def, retry: def.retry }, outcome, ctx);
    return true;
  }

  /** Fires the task's and its compensation's timers if due. */
  fireTimers(i: number, ctx: DecisionContext): boolean {
    const { task, definition } = this.peek(i);
    let fired = false;
    if (task.timerAt && task.timerAt <= ctx.now) {
      fired = true;
      this.run.touch(i);
      const step: Step = { kind: 'task', ...definition, config: definition, retry: definition.retry };
      this.fire(i, task, task.status, step, ctx);
    }
    const comp = task.compensation;
    const compDef = definition.compensation;
    if (comp && compDef && comp.timerAt && comp.timerAt <= ctx.now) {
      fired = true;
      this.run.touch(i);
      this.fire(
        i,
        comp,
        comp.status,
        { kind: 'compensation', ...compDef, config: compDef, retry: compDef.retry },
        ctx,
      );
    }
    return fired;
  }

  private fire(i: number, exec: ExecutionSnapshot, status: string, step: Step, ctx: DecisionContext): void {
    exec.timerAt = null;
    const attempt = exec.attempt;
    const base = { taskKey: this.peek(i).task.key, kind: step.kind, attempt };
    if (status === 'RETRYING') {
      if (step.kind === 'compensation' || this.run.isAcceptingWork()) this.queue(i, exec, step, ctx);
    } else if (status === 'RUNNING' && step.type === DELAY_TYPE) {
      this.settle(
        i,
        exec,
        step,
        {
          ...base,
          outcome: 'completed',
          output: {},
          startedAt: exec.startedAt ?? ctx.now,
          finishedAt: ctx.now,
        },
        ctx,
      );
    } else if (status === 'QUEUED' || status === 'RUNNING') {
      this.settle(
        i,
        exec,
        step,
        {
          ...base,
          outcome: 'failed',
          error: LOST_WORKER,
          startedAt: exec.startedAt ?? ctx.now,
          finishedAt: ctx.now,
        },
        ctx,
      );
    }
  }

  private queue(i: number, exec: ExecutionSnapshot, step: Step, ctx: DecisionContext): void {
    const { task } = this.peek(i);
    const attempt = exec.attempt + 1;
    exec.attempt = attempt;
    exec.output = null;
    exec.error = null;
    exec.startedAt = null;
    exec.finishedAt = null;
    exec.timerAt = null;
    const template = this.run.templateContext({ key: task.key, attempt });
    const input = resolveTemplate(step.input, template);
    const idempotencyKey = resolveTemplate(step.config.idempotencyKey, template);
    const delayMs = step.type === DELAY_TYPE && input.ok ? delayOf(input.value) : null;
    const problem = !input.ok
      ? `input: ${input.message}`
      : !idempotencyKey.ok
        ? `idempotencyKey: ${idempotencyKey.message}`
        : step.type === DELAY_TYPE && delayMs === null
          ? 'input.ms must resolve to an integer ≥ 0'
          : null;
    if (problem !== null || !input.ok || !idempotencyKey.ok) {
      // A reference that resolves to nothing fails the task at once, with the path named (SPEC §2).
      exec.finishedAt = ctx.now;
      this.finalFailure(
        i,
        exec,
        step,
        { message: problem ?? 'template', code: 'template', retryable: false },
        ctx,
      );
      return;
    }
    exec.queuedAt = ctx.now;
    const queuedEvent = step.kind === 'task' ? 'TaskQueued' : 'CompensationQueued';
    if (delayMs !== null) {
      // `delay` never reaches a worker: a durable timer completes it (SPEC §2).
      this.setStatus(i, exec, step.kind, 'RUNNING');
      exec.startedAt = ctx.now;
      exec.timerAt = addMs(ctx.now, delayMs);
      this.run.record(ctx, queuedEvent, task.key, attempt, { type: step.type });
      this.run.record(
        ctx,
        step.kind === 'task' ? 'TaskStarted' : 'CompensationStarted',
        task.key,
        attempt,
        {},
      );
      return;
    }
    this.setStatus(i, exec, step.kind, 'QUEUED');
    exec.timerAt = addMs(ctx.now, step.config.timeoutMs + QUEUE_ALLOWANCE_MS);
    this.run.record(ctx, queuedEvent, task.key, attempt, { type: step.type });
    this.run.dispatch({
      taskKey: task.key,
      kind: step.kind,
      attempt,
      type: step.type,
      input: input.value,
      idempotencyKey:
        typeof idempotencyKey.value === 'string'
          ? idempotencyKey.value
          : JSON.stringify(idempotencyKey.value),
      timeoutMs: step.config.timeoutMs,
      priority: step.config.priority,
      queuedAt: ctx.now,
    });
  }

  private settle(
    i: number,
    exec: ExecutionSnapshot,
    step: Step,
    outcome: AttemptOutcome,
    ctx: DecisionContext,
  ): void {
    const key = this.peek(i).task.key;
    const status = step.kind === 'task' ? this.peek(i).task.status : (exec as CompensationSnapshot).status;
    if (status === 'QUEUED') {
      this.setStatus(i, exec, step.kind, 'RUNNING');
      exec.startedAt = outcome.startedAt;
      this.run.record(
        ctx,
        step.kind === 'task' ? 'TaskStarted' : 'CompensationStarted',
        key,
        exec.attempt,
        {},
      );
    }
    if (outcome.outcome === 'started') {
      exec.timerAt = addMs(outcome.startedAt, step.config.timeoutMs + START_GRACE_MS);
      return;
    }
    exec.finishedAt = outcome.finishedAt;
    exec.timerAt = null;
    if (outcome.outcome === 'completed') {
      exec.output = outcome.output;
      exec.error = null;
      if (step.kind === 'task') this.run.setTaskStatus(i, 'COMPLETED');
      else {
        this.setStatus(i, exec, 'compensation', 'COMPLETED');
        this.run.setTaskStatus(i, 'COMPENSATED');
      }
      this.run.record(
        ctx,
        step.kind === 'task' ? 'TaskCompleted' : 'CompensationCompleted',
        key,
        exec.attempt,
        {},
      );
      return;
    }
    const error = {
      message: outcome.error.message,
      ...(outcome.error.code ? { code: outcome.error.code } : {}),
    };
    exec.error = error;
    // Tasks retry only while the run still accepts work; compensations retry while unwinding.
    const decision =
      step.kind === 'task' && !this.run.isAcceptingWork()
        ? ({ outcome: 'fail' } as const)
        : decideRetry(exec, step.retry, outcome.error, ctx.random());
    if (decision.outcome === 'retry') {
      this.setStatus(i, exec, step.kind, 'RETRYING');
      exec.timerAt = addMs(ctx.now, decision.delayMs);
      const failed = step.kind === 'task' ? 'TaskFailed' : 'CompensationFailed';
      this.run.record(ctx, failed, key, exec.attempt, { final: false, error });
      this.run.record(ctx, 'TaskRetryScheduled', key, exec.attempt, {
        kind: step.kind,
        delayMs: decision.delayMs,
        nextAttempt: exec.attempt + 1,
      });
      return;
    }
    this.finalFailure(i, exec, step, outcome.error, ctx);
  }

  private finalFailure(
    i: number,
    exec: ExecutionSnapshot,
    step: Step,
    failure: AttemptFailure,
    ctx: DecisionContext,
  ) {
    const key = this.peek(i).task.key;
    const error = { message: failure.message, ...(failure.code ? { code: failure.code } : {}) };
    exec.error = error;
    exec.timerAt = null;
    if (step.kind === 'task') this.run.setTaskStatus(i, 'FAILED');
    else {
      // Already FAILED when an operator retry finds the compensation's input still unresolvable.
      if ((exec as CompensationSnapshot).status !== 'FAILED')
        this.setStatus(i, exec, 'compensation', 'FAILED');
      this.run.setTaskStatus(i, 'COMPENSATION_FAILED');
    }
    const failed = step.kind === 'task' ? 'TaskFailed' : 'CompensationFailed';
    this.run.record(ctx, failed, key, exec.attempt, { final: true, error });
  }

  private setStatus(
    i: number,
    exec: ExecutionSnapshot,
    kind: Step['kind'],
    to: 'QUEUED' | 'RUNNING' | 'RETRYING' | 'COMPLETED' | 'FAILED',
  ) {
    if (kind === 'task') {
      this.run.setTaskStatus(i, to);
      return;
    }
    const comp = exec as CompensationSnapshot;
    assertCompensationTransition(comp.status, to);
    comp.status = to;
  }

  private peek(i: number): ReturnType<RunHost['taskAt']> {
    return this.run.taskAt(i);
  }
}

function delayOf(input: Json): number | null {
  const ms = input !== null && typeof input === 'object' && !Array.isArray(input) ? input.ms : undefined;
  return typeof ms === 'number' && Number.isInteger(ms) && ms >= 0 ? ms : null;
}
