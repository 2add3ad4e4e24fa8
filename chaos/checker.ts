/**
 * The chaos checker's rules (docs/failure-modes.md#the-chaos-harness): pure functions over one
 * run's events and the definition's dependency graph, so that each count can be shown to fail in
 * a unit test (test/unit/chaos/checker.test.ts). `check.ts` feeds them from PostgreSQL.
 */

export interface CheckedEvent {
  seq: number;
  type: string;
  taskKey: string | null;
  attempt: number | null;
}

/** Task key → the keys it depends on directly. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

const RESULT_TYPES = {
  task: ['TaskCompleted', 'TaskFailed'],
  compensation: ['CompensationCompleted', 'CompensationFailed'],
} as const;

/** Events that end a task attempt (a result, or the engine giving the attempt up). */
const TASK_ATTEMPT_ENDS = new Set(['TaskCompleted', 'TaskFailed', 'TaskCancelled', 'TaskRetryScheduled']);

/**
 * Results recorded more than once for one attempt: a task attempt with two of
 * TaskCompleted/TaskFailed, or a compensation attempt with two of its results. Each extra result
 * counts once.
 */
export function resultsAppliedTwice(events: readonly CheckedEvent[]): number {
  let twice = 0;
  for (const types of Object.values(RESULT_TYPES)) {
    const seen = new Map<string, number>();
    for (const e of events) {
      if (!(types as readonly string[]).includes(e.type)) continue;
      const key = `${e.taskKey}/${e.attempt}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > 1) twice += 1;
    }
  }
  return twice;
}

/** The seq is not exactly 1..n in order. */
export function seqBroken(events: readonly CheckedEvent[]): boolean {
  return events.some((e, i) => e.seq !== i + 1);
}

/**
 * A task queued before every one of its dependencies had completed: one violation per queueing
 * that came too early.
 */
export function dagOrderViolations(events: readonly CheckedEvent[], graph: DependencyGraph): number {
  const completedAt = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'TaskCompleted' && e.taskKey !== null && !completedAt.has(e.taskKey)) {
      completedAt.set(e.taskKey, e.seq);
    }
  }
  let violations = 0;
  for (const e of events) {
    if (e.type !== 'TaskQueued' || e.taskKey === null) continue;
    const early = (graph.get(e.taskKey) ?? []).some((dep) => (completedAt.get(dep) ?? Infinity) > e.seq);
    if (early) violations += 1;
  }
  return violations;
}

/** Every task that depends on `key`, directly or transitively. */
export function dependentsOf(key: string, graph: DependencyGraph): Set<string> {
  const out = new Set<string>();
  const visit = (target: string) => {
    for (const [task, deps] of graph) {
      if (deps.includes(target) && !out.has(task)) {
        out.add(task);
        visit(task);
      }
    }
  };
  visit(key);
  return out;
}

/**
 * Compensations queued out of reverse dependency order (docs/contract.md#runs, rule 3): when a
 * task's compensation is queued, every dependent that completed and has a compensation
 * (`compensated`) must have finished compensating, and no dependent may have a task attempt
 * still in flight. One violation per compensation queued too early.
 */
export function compensationOrderViolations(
  events: readonly CheckedEvent[],
  graph: DependencyGraph,
  compensated: ReadonlySet<string>,
): number {
  let violations = 0;
  for (const [index, e] of events.entries()) {
    if (e.type !== 'CompensationQueued' || e.taskKey === null) continue;
    const before = events.slice(0, index);
    const early = [...dependentsOf(e.taskKey, graph)].some((dependent) => {
      const mine = before.filter((x) => x.taskKey === dependent);
      const completed = mine.some((x) => x.type === 'TaskCompleted');
      const undone = mine.some((x) => x.type === 'CompensationCompleted' || x.type === 'CompensationFailed');
      if (completed && compensated.has(dependent) && !undone) return true;
      const lastStart = mine.findLast((x) => x.type === 'TaskQueued' || x.type === 'TaskStarted');
      const lastEnd = mine.findLast((x) => TASK_ATTEMPT_ENDS.has(x.type));
      return lastStart !== undefined && (lastEnd === undefined || lastEnd.seq < lastStart.seq);
    });
    if (early) violations += 1;
  }
  return violations;
}

/** One line of the side-effect sink's log. */
export interface SideEffect {
  idempotencyKey: string;
  runId: string;
  taskKey: string;
  kind: 'task' | 'compensation';
}

export interface SideEffectReport {
  /** Idempotency key → how many times its side effect arrived. */
  perKey: Map<string, number>;
  /** Keys that arrived for more than one (run, task, kind), or not in the default shape. */
  unstableKeys: number;
  /** Completed tasks or compensations with no side effect in the sink's log. */
  missing: number;
}

/** The idempotency key a (run, task, kind) is sent with by default (docs/contract.md#idempotency-keys). */
export const expectedKey = (runId: string, taskKey: string, kind: SideEffect['kind']) =>
  kind === 'task' ? `${runId}:${taskKey}` : `${runId}:${taskKey}:compensate`;

/**
 * At-least-once with a stable key: every completion recorded in `completions` (`run/task/kind`)
 * has at least one side effect, and every side effect carries its step's one key.
 */
export function sideEffectReport(
  effects: readonly SideEffect[],
  completions: ReadonlySet<string>,
): SideEffectReport {
  const perKey = new Map<string, number>();
  const owner = new Map<string, string>();
  let unstableKeys = 0;
  const seen = new Set<string>();
  for (const effect of effects) {
    const step = `${effect.runId}/${effect.taskKey}/${effect.kind}`;
    perKey.set(effect.idempotencyKey, (perKey.get(effect.idempotencyKey) ?? 0) + 1);
    const first = owner.get(effect.idempotencyKey);
    if (first === undefined) {
      owner.set(effect.idempotencyKey, step);
      if (effect.idempotencyKey !== expectedKey(effect.runId, effect.taskKey, effect.kind)) unstableKeys += 1;
    } else if (first !== step) {
      unstableKeys += 1;
    }
    seen.add(step);
  }
  const missing = [...completions].filter((step) => !seen.has(step)).length;
  return { perKey, unstableKeys, missing };
}

/** `{ 1: n, 2: m, … }`: how many keys arrived once, twice, … */
export function histogram(perKey: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of perKey.values()) out[n] = (out[n] ?? 0) + 1;
  return out;
}
