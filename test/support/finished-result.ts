import type { AbandonedAttempt, FinishedResult } from '../../src/interfaces/worker/task-executor.js';

/** The result of an attempt that was not abandoned; throws on an abandoned one. */
export function finished(result: FinishedResult | AbandonedAttempt): FinishedResult {
  if (result.outcome === 'abandoned')
    throw new Error(`attempt ${result.attempt} of ${result.taskKey} was abandoned`);
  return result;
}
