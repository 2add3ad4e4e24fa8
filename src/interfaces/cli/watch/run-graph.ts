import type { DefinitionJson, RunJson, TaskJson } from './run-json.js';

/**
 * The task graph of a watched run, in the order the frame draws it: topological levels (a task's
 * level is one more than its deepest dependency, as `plan.levels` of docs/contract.md#validation-and-plan),
 * each level in definition order.
 */
export interface TaskLevel {
  /** 1 for the tasks without dependencies. */
  level: number;
  tasks: TaskJson[];
}

/**
 * Kahn's algorithm over `dependsOn`, linear in tasks plus edges. A dependency on a key the run
 * does not have is ignored; tasks left over by a cycle (which registration rejects, so only a
 * malformed answer has one) go in one last level rather than disappearing from the frame.
 */
export function taskLevels(tasks: readonly TaskJson[]): TaskLevel[] {
  const index = new Map(tasks.map((task, i) => [task.key, i]));
  const waiting = tasks.map(() => 0);
  const dependents: number[][] = tasks.map(() => []);
  tasks.forEach((task, i) => {
    for (const dep of new Set(task.dependsOn ?? [])) {
      const from = index.get(dep);
      if (from === undefined || from === i) continue;
      waiting[i]! += 1;
      dependents[from]!.push(i);
    }
  });
  const levels: TaskLevel[] = [];
  let current = tasks.flatMap((_, i) => (waiting[i] === 0 ? [i] : []));
  const placed = new Set<number>();
  while (current.length > 0) {
    levels.push({ level: levels.length + 1, tasks: current.map((i) => tasks[i]!) });
    const next: number[] = [];
    for (const i of current) {
      placed.add(i);
      for (const dependent of dependents[i]!) {
        waiting[dependent]! -= 1;
        if (waiting[dependent] === 0) next.push(dependent);
      }
    }
    current = next.sort((a, b) => a - b);
  }
  const stuck = tasks.filter((_, i) => !placed.has(i));
  if (stuck.length > 0) levels.push({ level: levels.length + 1, tasks: stuck });
  return levels;
}

/** Task statuses of a task that completed, so its compensation runs (or ran) when the run unwinds. */
const COMPLETED_ONCE: ReadonlySet<string> = new Set([
  'COMPLETED',
  'COMPENSATING',
  'COMPENSATED',
  'COMPENSATION_FAILED',
]);

/**
 * The compensation pass, in the order it runs (docs/contract.md#rules-of-progress, rule 3): the
 * tasks with a compensation that completed, deepest level first. Empty until the run unwinds or a
 * compensation has moved, so a run that completes shows no pass at all.
 */
export function compensationPass(run: RunJson, levels: readonly TaskLevel[]): TaskLevel[] {
  const unwinding = run.status !== 'RUNNING' && run.status !== 'COMPLETED' && run.status !== 'PENDING';
  const moved = run.tasks.some(
    (task) => task.compensation !== null && task.compensation.status !== 'PENDING',
  );
  if (!unwinding && !moved) return [];
  return [...levels]
    .reverse()
    .map((level) => ({
      level: level.level,
      tasks: level.tasks.filter((task) => task.compensation !== null && COMPLETED_ONCE.has(task.status)),
    }))
    .filter((level) => level.tasks.length > 0);
}

/** Whether the run JSON names every task's dependencies (it does, from this API; see {@link withDependencies}). */
export function hasDependencies(run: RunJson): boolean {
  return run.tasks.every((task) => Array.isArray(task.dependsOn));
}

/** The run with each task's `dependsOn` taken from its definition where the run JSON lacks it. */
export function withDependencies(run: RunJson, definition: DefinitionJson | null): RunJson {
  if (definition === null || hasDependencies(run)) return run;
  const byKey = new Map(definition.tasks.map((task) => [task.key, task.dependsOn ?? []]));
  return {
    ...run,
    tasks: run.tasks.map((task) => ({ ...task, dependsOn: task.dependsOn ?? byKey.get(task.key) ?? [] })),
  };
}
