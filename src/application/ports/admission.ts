/**
 * Admission control (docs/operations.md#overload): whether the engine can take another run now.
 * Past capacity, a start that is accepted only lengthens every queue, so it is refused at the
 * door (503 with `Retry-After`) while the engine works through what it already has, and its
 * throughput stays at its peak.
 */
export interface Admission {
  /** Null when a run that uses these task types may start now; else why not, and when to retry. */
  refusal(taskTypes: readonly string[]): Overload | null;
}

export interface Overload {
  /** Names the measure and its limit, e.g. "12,034 messages wait in the task and result queues (limit 10,000)". */
  reason: string;
  retryAfterSeconds: number;
}

export const ADMISSION = Symbol('Admission');

/** For processes and tests without a broker to watch: every start may go ahead. */
export const ALWAYS_ADMIT: Admission = { refusal: () => null };
