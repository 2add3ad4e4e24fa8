import { resolveTemplate } from '../definition/template.js';
import { DELAY_TYPE } from '../definition/workflow-definition.js';
import { queueTimeoutOf } from '../definition/task-config.js';
import { addMs } from './execution.js';
import type { DecisionContext } from './run-events.js';
import type { RunHost } from './run-host.js';
import type { ExecutionSnapshot, Json } from './run-snapshot.js';
import { failForGood } from './attempt-settlement.js';
import { setExecutionStatus, type Step } from './attempt-step.js';

/**
 * Starts the step's next attempt: resolves its input and idempotency key against the run, then
 * dispatches it to a worker under its schedule-to-start timer — or, for `delay`, arms the timer that will
 * complete it. An unresolvable template fails the step here, before anything is sent.
 */
export function queueAttempt(
  run: RunHost,
  i: number,
  exec: ExecutionSnapshot,
  step: Step,
  ctx: DecisionContext,
): void {
  const { task } = run.taskAt(i);
  const attempt = exec.attempt + 1;
  exec.attempt = attempt;
  exec.output = null;
  exec.error = null;
  exec.startedAt = null;
  exec.finishedAt = null;
  exec.timerAt = null;
  const template = run.templateContext({ key: task.key, attempt });
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
    // A reference that resolves to nothing fails the task at once, with the path named (docs/contract.md#workflow-definitions).
    exec.finishedAt = ctx.now;
    failForGood(
      run,
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
    // `delay` never reaches a worker: a durable timer completes it (docs/contract.md#workflow-definitions).
    setExecutionStatus(run, i, exec, step.kind, 'RUNNING');
    exec.startedAt = ctx.now;
    exec.timerAt = addMs(ctx.now, delayMs);
    run.record(ctx, queuedEvent, task.key, attempt, { type: step.type });
    run.record(ctx, step.kind === 'task' ? 'TaskStarted' : 'CompensationStarted', task.key, attempt, {});
    return;
  }
  setExecutionStatus(run, i, exec, step.kind, 'QUEUED');
  // Schedule-to-start: a worker must take it within queueTimeoutMs (docs/contract.md#timeouts).
  exec.timerAt = addMs(ctx.now, queueTimeoutOf(step.config));
  run.record(ctx, queuedEvent, task.key, attempt, { type: step.type });
  run.dispatch({
    taskKey: task.key,
    kind: step.kind,
    attempt,
    type: step.type,
    input: input.value,
    idempotencyKey:
      typeof idempotencyKey.value === 'string' ? idempotencyKey.value : JSON.stringify(idempotencyKey.value),
    timeoutMs: step.config.timeoutMs,
    priority: step.config.priority,
    queuedAt: ctx.now,
  });
}

function delayOf(input: Json): number | null {
  const ms = input !== null && typeof input === 'object' && !Array.isArray(input) ? input.ms : undefined;
  return typeof ms === 'number' && Number.isInteger(ms) && ms >= 0 ? ms : null;
}
