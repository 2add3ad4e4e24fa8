import type { ValidationIssue } from '../shared/domain-error.js';

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

export function parseTaskConfig(
  raw: Record<string, unknown>,
  path: string,
  defaultIdempotencyKey: string,
  issues: ValidationIssue[],
): TaskConfig {
  const timeoutMs = raw.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!isTimeout(timeoutMs)) {
    issues.push({ path: `${path}.timeoutMs`, message: `must be an integer from 1 to ${MAX_TIMEOUT_MS}` });
  }
  const queueTimeoutMs = raw.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS;
  if (!isTimeout(queueTimeoutMs)) {
    issues.push({
      path: `${path}.queueTimeoutMs`,
      message: `must be an integer from 1 to ${MAX_TIMEOUT_MS}`,
    });
  }
  const priority = raw.priority ?? DEFAULT_PRIORITY;
  if (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > 9) {
    issues.push({ path: `${path}.priority`, message: 'must be an integer from 0 to 9' });
  }
  const idempotencyKey = raw.idempotencyKey ?? defaultIdempotencyKey;
  if (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > 512) {
    issues.push({ path: `${path}.idempotencyKey`, message: 'must be a string of 1 to 512 characters' });
  }
  return {
    timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : DEFAULT_TIMEOUT_MS,
    queueTimeoutMs: typeof queueTimeoutMs === 'number' ? queueTimeoutMs : DEFAULT_QUEUE_TIMEOUT_MS,
    priority: typeof priority === 'number' ? priority : DEFAULT_PRIORITY,
    idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : defaultIdempotencyKey,
  };
}

function isTimeout(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_TIMEOUT_MS;
}

/** The schedule-to-start timeout; a definition stored before the field existed gets the default. */
export function queueTimeoutOf(config: Partial<Pick<TaskConfig, 'queueTimeoutMs'>>): number {
  return config.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS;
}
