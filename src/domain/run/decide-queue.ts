import { queueTimeoutOf } from '../definition/task-config.js';
import { resolveTemplate } from '../definition/template.js';
import { DELAY_TYPE } from '../definition/workflow-definition.js';
import { eventName, stepAt, type StepKind } from './attempt-step.js';
import { addMs } from './execution.js';
import type { DecisionContext } from './run-events.js';
import { newEvent, type NewRunEvent } from './run-facts.js';
import type { RunPlan } from './run-plan.js';
import type { Json, RunSnapshot, TaskError } from './run-snapshot.js';
import { templateContextOf } from './run-templates.js';

/**
 * The events that start the step's next attempt: its input and idempotency key resolved against
 * the run, sent to a worker under its schedule-to-start timer (docs/contract.md#timeouts) — or,
 * for `delay`, started at once under the timer that will complete it. A template that does not
 * resolve fails the step here, before anything is sent.
 */
export function queueEvents(
  state: RunSnapshot,
  plan: RunPlan,
  i: number,
  kind: StepKind,
  ctx: DecisionContext,
): NewRunEvent[] {
  const at = stepAt(state.tasks, plan.definition.tasks, i, kind);
  if (!at) return [];
  const { task, step, exec } = at;
  const attempt = exec.attempt + 1;
  const where = { taskKey: task.key, attempt };
  const template = templateContextOf(state, { key: task.key, attempt });
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
    const error: TaskError = { message: problem ?? 'template', code: 'template' };
    const runError =
      kind === 'task' && state.status === 'RUNNING' ? { taskKey: task.key, message: error.message } : null;
    return [
      newEvent(
        eventName(kind, 'Failed'),
        ctx.now,
        where,
        { final: true, error: { ...error } },
        { final: true, error, finishedAt: ctx.now, unsent: true, runError },
      ),
    ];
  }
  const data = { type: step.type };
  if (delayMs !== null) {
    // `delay` never reaches a worker: a durable timer completes it (docs/contract.md#workflow-definitions).
    const timerAt = addMs(ctx.now, delayMs);
    return [
      newEvent(eventName(kind, 'Queued'), ctx.now, where, data, { type: step.type, timerAt, send: null }),
      newEvent(eventName(kind, 'Started'), ctx.now, where, {}, { startedAt: ctx.now, timerAt }),
    ];
  }
  const send = {
    input: input.value,
    idempotencyKey:
      typeof idempotencyKey.value === 'string' ? idempotencyKey.value : JSON.stringify(idempotencyKey.value),
    timeoutMs: step.config.timeoutMs,
    priority: state.priority ?? step.config.priority,
  };
  const timerAt = addMs(ctx.now, queueTimeoutOf(step.config));
  return [newEvent(eventName(kind, 'Queued'), ctx.now, where, data, { type: step.type, timerAt, send })];
}

function delayOf(input: Json): number | null {
  const ms = input !== null && typeof input === 'object' && !Array.isArray(input) ? input.ms : undefined;
  return typeof ms === 'number' && Number.isInteger(ms) && ms >= 0 ? ms : null;
}
