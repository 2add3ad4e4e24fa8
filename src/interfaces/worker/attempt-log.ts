import type { TaskMessage } from '../../application/ports/messages.js';
import type { AppLogger } from '../../application/ports/logger.js';
import type { FinishedResult } from './task-executor.js';

/**
 * One line per finished attempt, with the fields that find it (`run_id`, `task_key`, `attempt`):
 * info when it completed, warn when it failed, with the failure's code and message. Never the
 * input or the output: they are the caller's data, and may be secrets.
 */
export function logAttempt(logger: AppLogger, message: TaskMessage, result: FinishedResult): void {
  const fields = {
    run_id: message.runId,
    task_key: message.taskKey,
    attempt: message.attempt,
    kind: message.kind,
    task_type: message.type,
    outcome: result.outcome,
    duration_ms: Date.parse(result.finishedAt) - Date.parse(result.startedAt),
  };
  if (result.outcome === 'completed') {
    logger.log(`${message.kind} attempt completed`, fields);
    return;
  }
  const { message: error, code, retryable } = result.error;
  logger.warn(`${message.kind} attempt failed`, { ...fields, error, error_code: code, retryable });
}
