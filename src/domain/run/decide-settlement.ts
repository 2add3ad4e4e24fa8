import { eventName, executionOf, stepAt, stepStatus, type Step } from './attempt-step.js';
import { addMs, decideRetry, START_GRACE_MS } from './execution.js';
import type { AttemptFailure, AttemptOutcome, DecisionContext } from './run-events.js';
import { newEvent, type NewRunEvent } from './run-facts.js';
import type { RunPlan } from './run-plan.js';
import type { Json, RunError, RunSnapshot, TaskError } from './run-snapshot.js';
import { runOutputError } from './run-templates.js';

/**
 * The events of a worker's report — started, completed or failed — or null when it is not for
 * the attempt in flight (a duplicate, a late result of a timed-out attempt: nothing changes).
 */
export function outcomeEvents(
  state: RunSnapshot,
  plan: RunPlan,
  outcome: AttemptOutcome,
  ctx: DecisionContext,
): NewRunEvent[] | null {
  const i = plan.indexOf.get(outcome.taskKey);
  if (i === undefined) return null;
  const at = stepAt(state.tasks, plan.definition.tasks, i, outcome.kind);
  if (!at) return null;
  const { task, step, exec } = at;
  const status = stepStatus(task, outcome.kind);
  if ((status !== 'QUEUED' && status !== 'RUNNING') || exec.attempt !== outcome.attempt) return null;
  if (outcome.outcome === 'started' && status === 'RUNNING') return null;
  return settleEvents(state, plan, i, step, outcome, ctx);
}

/** What became of the attempt in flight; a result of a still-QUEUED attempt also starts it. */
export function settleEvents(
  state: RunSnapshot,
  plan: RunPlan,
  i: number,
  step: Step,
  outcome: AttemptOutcome,
  ctx: DecisionContext,
): NewRunEvent[] {
  const task = state.tasks[i]!;
  const exec = executionOf(task, step.kind)!;
  const where = { taskKey: task.key, attempt: exec.attempt };
  const events: NewRunEvent[] = [];
  if (stepStatus(task, step.kind) === 'QUEUED') {
    const timerAt = addMs(outcome.startedAt, step.config.timeoutMs + START_GRACE_MS);
    events.push(
      newEvent(
        eventName(step.kind, 'Started'),
        ctx.now,
        where,
        {},
        { startedAt: outcome.startedAt, timerAt },
      ),
    );
  }
  if (outcome.outcome === 'started') return events;
  if (outcome.outcome === 'completed') {
    const runError = step.kind === 'task' ? runErrorOnCompletion(state, plan, i, outcome.output) : null;
    events.push(
      newEvent(
        eventName(step.kind, 'Completed'),
        ctx.now,
        where,
        {},
        { output: outcome.output, finishedAt: outcome.finishedAt, runError },
      ),
    );
    return events;
  }
  events.push(...failureEvents(state, i, step, outcome.error, outcome.finishedAt, ctx));
  return events;
}

/**
 * A failed attempt — reported by a worker, or timed out by the orchestrator — is retried after
 * backoff or fails for good. Tasks retry only while the run still accepts work; compensations
 * retry while it unwinds. A task failing for good fails a RUNNING run (docs/contract.md#runs rule 2).
 */
export function failureEvents(
  state: RunSnapshot,
  i: number,
  step: Step,
  failure: AttemptFailure,
  finishedAt: Date,
  ctx: DecisionContext,
): NewRunEvent[] {
  const task = state.tasks[i]!;
  const exec = executionOf(task, step.kind)!;
  const where = { taskKey: task.key, attempt: exec.attempt };
  const error: TaskError = { message: failure.message, ...(failure.code ? { code: failure.code } : {}) };
  const failed = eventName(step.kind, 'Failed');
  const decision =
    step.kind === 'task' && state.status !== 'RUNNING'
      ? ({ outcome: 'fail' } as const)
      : decideRetry(exec, step.retry, failure, ctx.random());
  if (decision.outcome === 'retry') {
    return [
      newEvent(
        failed,
        ctx.now,
        where,
        { final: false, error: { ...error } },
        { final: false, error, finishedAt, unsent: false, runError: null },
      ),
      newEvent(
        'TaskRetryScheduled',
        ctx.now,
        where,
        { kind: step.kind, delayMs: decision.delayMs, nextAttempt: exec.attempt + 1 },
        { kind: step.kind, timerAt: addMs(ctx.now, decision.delayMs) },
      ),
    ];
  }
  const runError =
    step.kind === 'task' && state.status === 'RUNNING' ? { taskKey: task.key, message: error.message } : null;
  return [
    newEvent(
      failed,
      ctx.now,
      where,
      { final: true, error: { ...error } },
      { final: true, error, finishedAt, unsent: false, runError },
    ),
  ];
}

/**
 * When this completion is the run's last and its output template does not resolve, the run
 * fails with `error.taskKey` null (docs/contract.md#run-output); the completion carries that error.
 */
function runErrorOnCompletion(state: RunSnapshot, plan: RunPlan, i: number, output: Json): RunError | null {
  if (state.status !== 'RUNNING') return null;
  const completed = {
    ...state,
    tasks: state.tasks.map((t, j) => (j === i ? { ...t, status: 'COMPLETED' as const, output } : t)),
  };
  return runOutputError(plan.definition, completed, plan.graph.dependents);
}
