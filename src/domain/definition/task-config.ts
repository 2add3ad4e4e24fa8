/** Per-attempt execution settings shared by tasks and compensations (docs/contract.md#workflow-definitions). */
export interface TaskConfig {
  /** Start-to-close timeout of one attempt, ms. @default 300000 */
  readonly timeoutMs: number;
  /**
   * Schedule-to-start timeout: how long an attempt may wait in the queue for a worker to take it,
   * ms from `queuedAt`. @default 300000
   */
  readonly queueTimeoutMs: number;
  /** 0–9, higher first. @default 5 */
  readonly priority: number;
  /** Template; the same for every attempt. @default `${run.id}:${task.key}` (`…:compensate` for compensations) */
  readonly idempotencyKey: string;
}

export const DEFAULT_TIMEOUT_MS = 300_000;
export const DEFAULT_QUEUE_TIMEOUT_MS = 300_000;
export const MAX_TIMEOUT_MS = 24 * 3600 * 1000;
export const DEFAULT_PRIORITY = 5;
export const DEFAULT_TASK_IDEMPOTENCY_KEY = '${run.id}:${task.key}';
export const DEFAULT_COMPENSATION_IDEMPOTENCY_KEY = '${run.id}:${task.key}:compensate';

/** The execution settings of a well-shaped task or compensation, defaults filled in. */
export function taskConfigOf(draft: Partial<TaskConfig>, defaultIdempotencyKey: string): TaskConfig {
  return {
    timeoutMs: draft.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    queueTimeoutMs: draft.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS,
    priority: draft.priority ?? DEFAULT_PRIORITY,
    idempotencyKey: draft.idempotencyKey ?? defaultIdempotencyKey,
  };
}

/** The schedule-to-start timeout; a definition stored before the field existed gets the default. */
export function queueTimeoutOf(config: Partial<Pick<TaskConfig, 'queueTimeoutMs'>>): number {
  return config.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS;
}
