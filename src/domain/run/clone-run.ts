import type { RunSnapshot } from './run-snapshot.js';

/**
 * A copy of a run's state that the aggregate may change in place without touching the
 * original. `evolveDraft` assigns fields of the run, of its task rows and of their
 * compensations, and only ever replaces the values inside them (Json, errors, dates,
 * `definitionRef`) with new ones, so copying those three levels is enough; the values below
 * them are shared. That is several times cheaper than `structuredClone`, which the decision
 * loop used to pay twice per saved run (docs/performance.md#the-per-task-path-step-by-step).
 */
export function cloneRunState(state: RunSnapshot): RunSnapshot {
  const tasks = new Array<RunSnapshot['tasks'][number]>(state.tasks.length);
  for (let i = 0; i < tasks.length; i++) {
    const task = state.tasks[i]!;
    tasks[i] = { ...task, compensation: task.compensation === null ? null : { ...task.compensation } };
  }
  return { ...state, tasks };
}
