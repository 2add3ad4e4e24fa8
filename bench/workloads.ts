/**
 * The workloads a bench pass can run (`BENCH_WORKLOAD`, default W1): each one's definition, the
 * run status it ends in, how many task executions one run costs, and the step-gap pairs derived
 * from its `dependsOn` edges (see measure.ts).
 */

export type WorkloadId = 'W1' | 'W2' | 'W4';

export interface TaskSpec {
  key: string;
  type: string;
  dependsOn?: string[];
  compensation?: { type: string };
  retry?: { maxAttempts: number };
}

export interface Workload {
  id: WorkloadId;
  /** What the printed lines call it. */
  label: string;
  /** The registered definition's name (W1's stays `chain3`, as old results name it). */
  definition: string;
  tasks: TaskSpec[];
  /** The status every run must end in; any other final status fails the pass. */
  terminal: 'COMPLETED' | 'COMPENSATED';
  /** Task executions per run: forward attempts plus the compensations that run. */
  tasksPerRun: number;
  /** Why tasksPerRun is what it is, when that is not just the number of tasks. */
  tasksPerRunNote?: string;
}

const fanOut = Array.from({ length: 10 }, (_, i) => `t${i}`);

export const WORKLOADS: Record<WorkloadId, Workload> = {
  W1: {
    id: 'W1',
    label: 'W1 chain3',
    definition: 'chain3',
    tasks: [
      { key: 'a', type: 'noop' },
      { key: 'b', type: 'noop', dependsOn: ['a'] },
      { key: 'c', type: 'noop', dependsOn: ['b'] },
    ],
    terminal: 'COMPLETED',
    tasksPerRun: 3,
  },
  W2: {
    id: 'W2',
    label: 'W2 fan-out 10 + join',
    definition: 'fanout10',
    tasks: [
      ...fanOut.map((key) => ({ key, type: 'noop' })),
      { key: 'join', type: 'noop', dependsOn: fanOut },
    ],
    terminal: 'COMPLETED',
    tasksPerRun: 11,
  },
  W4: {
    id: 'W4',
    label: 'W4 saga that compensates',
    definition: 'saga',
    tasks: [
      { key: 'reserve', type: 'noop', compensation: { type: 'noop' } },
      { key: 'charge', type: 'noop', dependsOn: ['reserve'], compensation: { type: 'noop' } },
      // `fail` comes from peers/sagaflow-handlers.ts: it throws NonRetryableError at once.
      { key: 'ship', type: 'fail', dependsOn: ['charge'], retry: { maxAttempts: 1 } },
    ],
    terminal: 'COMPENSATED',
    tasksPerRun: 5,
    tasksPerRunNote: '3 forward tasks (ship fails once) + 2 compensations',
  },
};

export function workloadFromEnv(): Workload {
  const id = (process.env.BENCH_WORKLOAD ?? 'W1').trim().toUpperCase();
  if (!(id in WORKLOADS)) {
    throw new Error(`BENCH_WORKLOAD=${id}: expected one of ${Object.keys(WORKLOADS).join(', ')}`);
  }
  return WORKLOADS[id as WorkloadId];
}

/** The task types a workload's queues are named after (for removing them after the pass). */
export function taskTypes(workload: Workload): string[] {
  const types = workload.tasks.flatMap((t) => [t.type, ...(t.compensation ? [t.compensation.type] : [])]);
  return [...new Set(types)];
}

/** A forward step: `child` starts once every one of `parents` has finished. */
export interface ForwardGap {
  child: string;
  parents: string[];
}

/**
 * A compensation step: `child`'s compensation starts once each of its dependents has settled —
 * compensated if it has a compensation that ran, otherwise finished (docs/contract.md#runs rule
 * 3, compensation-planner.ts). Tasks no task depends on have no such pair: what starts their
 * compensation is another task's failure, which no edge names.
 */
export interface CompensationGap {
  child: string;
  dependents: string[];
}

export function forwardGaps(workload: Workload): ForwardGap[] {
  return workload.tasks
    .filter((t) => (t.dependsOn ?? []).length > 0)
    .map((t) => ({ child: t.key, parents: t.dependsOn! }));
}

export function compensationGaps(workload: Workload): CompensationGap[] {
  return workload.tasks
    .filter((t) => t.compensation)
    .map((t) => ({
      child: t.key,
      dependents: workload.tasks.filter((d) => d.dependsOn?.includes(t.key)).map((d) => d.key),
    }))
    .filter((g) => g.dependents.length > 0);
}
