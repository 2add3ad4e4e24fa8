import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { validateDefinition } from '../../../src/domain/definition/definition-validator.js';
import { planOf } from '../../../src/domain/definition/plan.js';
import type { WorkflowDefinition } from '../../../src/domain/definition/workflow-definition.js';
import type { AttemptOutcome } from '../../../src/domain/run/run-events.js';
import type { RunStatus } from '../../../src/domain/run/run-status.js';
import type { TaskRunSnapshot } from '../../../src/domain/run/run-snapshot.js';
import { isGapless, permanent, retryable, RunDriver } from './support/builders.js';

/** A random DAG: task i may depend only on tasks with a lower index; `order` shuffles the list. */
interface Dag {
  n: number;
  deps: number[][];
  order: number[];
}

const dagArb = (maxTasks: number): fc.Arbitrary<Dag> =>
  fc.integer({ min: 1, max: maxTasks }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      deps: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          i === 0 ? fc.constant<number[]>([]) : fc.subarray(Array.from({ length: i }, (_, j) => j)),
        ),
      ),
      order: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i),
        { minLength: n, maxLength: n },
      ),
    }),
  );

const keyOf = (i: number) => `t${i}`;

function rawTasks(dag: Dag, extra: (i: number) => Record<string, unknown> = () => ({})) {
  return dag.order.map((i) => ({
    key: keyOf(i),
    type: 'noop',
    dependsOn: dag.deps[i]!.map(keyOf),
    ...extra(i),
  }));
}

describe('property: the validator accepts exactly the acyclic graphs', () => {
  it('accepts every DAG, whatever the task order, with a plan that respects every dependency', () => {
    fc.assert(
      fc.property(dagArb(15), (dag) => {
        const result = validateDefinition({ name: 'dag', tasks: rawTasks(dag) });
        expect(result.errors).toEqual([]);
        if (!result.valid) return;
        const level = new Map<string, number>();
        planOf(result.definition).levels.forEach((keys, l) => keys.forEach((k) => level.set(k, l)));
        expect(level.size).toBe(dag.n);
        dag.deps.forEach((ds, i) =>
          ds.forEach((d) => expect(level.get(keyOf(d))!).toBeLessThan(level.get(keyOf(i))!)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a DAG with an injected back edge, naming the keys of a real cycle', () => {
    const cyclic = dagArb(15)
      .filter((dag) => dag.n >= 2)
      .chain((dag) =>
        fc.record({
          dag: fc.constant(dag),
          // a path p0 < p1 < … < pk through the graph, closed by p0 depending on pk
          path: fc
            .subarray(
              Array.from({ length: dag.n }, (_, i) => i),
              { minLength: 2 },
            )
            .map((p) => [...p].sort((a, b) => a - b)),
        }),
      );
    fc.assert(
      fc.property(cyclic, ({ dag, path }) => {
        const deps = dag.deps.map((ds) => [...ds]);
        for (let m = 1; m < path.length; m++) {
          const [from, to] = [path[m - 1]!, path[m]!];
          if (!deps[to]!.includes(from)) deps[to]!.push(from);
        }
        deps[path[0]!]!.push(path.at(-1)!); // the back edge
        const result = validateDefinition({
          name: 'dag',
          tasks: rawTasks({ ...dag, deps }),
        });
        expect(result.valid).toBe(false);
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]?.path).toBe('tasks');
        const cycle = /^dependency cycle: (.+)$/.exec(result.errors[0]?.message ?? '')?.[1]?.split(' → ');
        expect(cycle).toBeDefined();
        const keys = cycle!.map((k) => Number(k.slice(1)));
        expect(keys.length).toBeGreaterThanOrEqual(3);
        expect(keys[0]).toBe(keys.at(-1));
        expect(new Set(keys.slice(1)).size).toBe(keys.length - 1);
        // every arrow X → Y of the message is an edge: Y depends on X
        for (let m = 1; m < keys.length; m++) expect(deps[keys[m]!]).toContain(keys[m - 1]);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- driving random runs ----------------------------------------------------------------------

type Op = 'complete' | 'retryable' | 'permanent' | 'started' | 'timer' | 'duplicate' | 'cancel' | 'retry';

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant<Op>('complete'), weight: 6 },
  { arbitrary: fc.constant<Op>('retryable'), weight: 3 },
  { arbitrary: fc.constant<Op>('permanent'), weight: 1 },
  { arbitrary: fc.constant<Op>('started'), weight: 2 },
  { arbitrary: fc.constant<Op>('timer'), weight: 3 },
  { arbitrary: fc.constant<Op>('duplicate'), weight: 2 },
  { arbitrary: fc.constant<Op>('cancel'), weight: 1 },
  { arbitrary: fc.constant<Op>('retry'), weight: 1 },
);

const scenarioArb = dagArb(7).chain((dag) =>
  fc.record({
    dag: fc.constant(dag),
    compensated: fc.array(fc.boolean(), { minLength: dag.n, maxLength: dag.n }),
    delays: fc.array(fc.option(fc.integer({ min: 0, max: 50 }), { freq: 4 }), {
      minLength: dag.n,
      maxLength: dag.n,
    }),
    maxAttempts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: dag.n, maxLength: dag.n }),
    steps: fc.array(fc.record({ op: opArb, pick: fc.nat() }), { maxLength: 60 }),
  }),
);

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

function definitionFor(s: Scenario): WorkflowDefinition {
  const result = validateDefinition({
    name: 'prop',
    tasks: rawTasks(s.dag, (i) => ({
      ...(s.delays[i] !== null ? { type: 'delay', input: { ms: s.delays[i] } } : {}),
      retry: { maxAttempts: s.maxAttempts[i], initialIntervalMs: 10 },
      timeoutMs: 100,
      ...(s.compensated[i] ? { compensation: { type: 'noop', retry: { initialIntervalMs: 5 } } } : {}),
    })),
  });
  if (!result.valid) throw new Error(JSON.stringify(result.errors));
  return result.definition;
}

/** Transitive dependents of every task, by key. */
function dependentsClosure(definition: WorkflowDefinition): Map<string, Set<string>> {
  const direct = new Map(definition.tasks.map((t) => [t.key, [] as string[]]));
  for (const t of definition.tasks) for (const d of t.dependsOn) direct.get(d)!.push(t.key);
  const closure = new Map<string, Set<string>>();
  const visit = (key: string): Set<string> => {
    const known = closure.get(key);
    if (known) return known;
    const out = new Set<string>();
    for (const d of direct.get(key)!) {
      out.add(d);
      visit(d).forEach((x) => out.add(x));
    }
    closure.set(key, out);
    return out;
  };
  definition.tasks.forEach((t) => visit(t.key));
  return closure;
}

interface Deliverable {
  key: string;
  kind: 'task' | 'compensation';
  attempt: number;
}

/** Attempts on a worker (not `delay`s, which only a timer completes). */
function onWorkers(run: RunDriver, definition: WorkflowDefinition): Deliverable[] {
  const out: Deliverable[] = [];
  run.snapshot().tasks.forEach((t, i) => {
    if ((t.status === 'QUEUED' || t.status === 'RUNNING') && definition.tasks[i]!.type !== 'delay') {
      out.push({ key: t.key, kind: 'task', attempt: t.attempt });
    }
    const c = t.compensation;
    if (c && (c.status === 'QUEUED' || c.status === 'RUNNING')) {
      out.push({ key: t.key, kind: 'compensation', attempt: c.attempt });
    }
  });
  return out;
}

const ENDS: RunStatus[] = ['COMPLETED', 'COMPENSATED', 'FAILED', 'CANCELLED', 'COMPENSATION_FAILED'];

/**
 * Drives a run with the scenario's random steps, then lets every attempt on a worker complete
 * and every timer fire until nothing is left. `onDecision` sees the run after every decision.
 */
function drive(s: Scenario, onDecision: (run: RunDriver, definition: WorkflowDefinition) => void) {
  const definition = definitionFor(s);
  const run = RunDriver.start(definition, { random: () => 0.5 });
  onDecision(run, definition);
  const applied: AttemptOutcome[] = [];
  const send = (d: Deliverable, op: 'complete' | 'retryable' | 'permanent' | 'started') => {
    const now = new Date(0);
    const base = { taskKey: d.key, kind: d.kind, attempt: d.attempt, startedAt: now };
    const outcome: AttemptOutcome =
      op === 'started'
        ? { ...base, outcome: 'started' }
        : op === 'complete'
          ? { ...base, outcome: 'completed', output: { by: d.key }, finishedAt: now }
          : {
              ...base,
              outcome: 'failed',
              error: op === 'retryable' ? retryable() : permanent(),
              finishedAt: now,
            };
    const status = (snap: TaskRunSnapshot | undefined) =>
      d.kind === 'task' ? snap?.status : snap?.compensation?.status;
    const before = status(run.snapshot().tasks.find((t) => t.key === d.key));
    const ok = run.deliver(outcome);
    // a report for the attempt in flight is applied, unless it is a repeated start
    expect(ok).toBe(!(op === 'started' && before === 'RUNNING'));
    if (ok) applied.push(outcome);
  };

  for (const { op, pick } of s.steps) {
    const status = run.status;
    const flight = onWorkers(run, definition);
    if (op === 'timer') run.fireNextTimer();
    else if (op === 'duplicate') {
      const old = applied[pick % Math.max(1, applied.length)];
      if (!old) continue;
      const seq = run.snapshot().lastSeq;
      expect(run.deliver(old)).toBe(false);
      expect(run.last).toEqual({ events: [], dispatches: [] });
      expect(run.snapshot().lastSeq).toBe(seq);
    } else if (op === 'cancel') {
      if (status !== 'RUNNING' && status !== 'CANCELLING') continue;
      run.cancel();
    } else if (op === 'retry') {
      if (status !== 'FAILED' && status !== 'COMPENSATION_FAILED') continue;
      run.retry();
    } else {
      const d = flight[pick % Math.max(1, flight.length)];
      if (!d) continue;
      send(d, op);
    }
    onDecision(run, definition);
  }

  // Drain: every attempt on a worker completes, every timer fires.
  for (let guard = 0; guard < 1000; guard++) {
    const d = onWorkers(run, definition)[0];
    if (d) send(d, 'complete');
    else if (!run.fireNextTimer()) break;
    onDecision(run, definition);
  }
  return { run, definition };
}

describe('property: compensation order (docs/contract.md#runs rule 3)', () => {
  it('never dispatches a compensation before its dependents are settled and compensated', () => {
    let compensations = 0;
    fc.assert(
      fc.property(scenarioArb, (s) => {
        drive(s, (run, definition) => {
          const closure = dependentsClosure(definition);
          const tasks = new Map(run.snapshot().tasks.map((t) => [t.key, t]));
          for (const d of run.last.dispatches.filter((x) => x.kind === 'compensation')) {
            compensations++;
            for (const dep of closure.get(d.taskKey)!) {
              const t = tasks.get(dep)!;
              expect(['QUEUED', 'RUNNING', 'RETRYING']).not.toContain(t.status);
              // a dependent that completed and has a compensation must have been compensated
              if (definition.tasks[t.index]!.compensation !== null) {
                expect(['COMPLETED', 'COMPENSATING', 'COMPENSATION_FAILED']).not.toContain(t.status);
              }
            }
          }
        });
      }),
      { numRuns: 1000 },
    );
    // the generator does reach compensation, so the check above is not vacuous
    expect(compensations).toBeGreaterThan(0);
  });
});

describe('property: every run ends', () => {
  it('reaches a terminal status or COMPENSATION_FAILED, with gapless seqs and a consistent state', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { run, definition } = drive(s, () => undefined);
        expect(ENDS).toContain(run.status);
        expect(isGapless(run.events)).toBe(true);
        const snap = run.snapshot();
        expect(snap.lastSeq).toBe(run.events.length);
        expect(run.run.nextTimerAt()).toBeNull();
        const statuses = snap.tasks.map((t) => t.status);
        expect(statuses.filter((x) => ['QUEUED', 'RUNNING', 'RETRYING', 'COMPENSATING'].includes(x))).toEqual(
          [],
        );
        if (run.status === 'COMPLETED') {
          expect(statuses.every((x) => x === 'COMPLETED')).toBe(true);
          expect(run.events.at(-1)?.type).toBe('RunCompleted');
        } else if (run.status !== 'COMPENSATION_FAILED') {
          // everything that completed and can be undone was undone
          snap.tasks.forEach((t, i) => {
            if (definition.tasks[i]!.compensation) expect(t.status).not.toBe('COMPLETED');
          });
          expect(statuses).not.toContain('PENDING');
          if (run.status === 'FAILED') expect(statuses).not.toContain('COMPENSATED');
          if (run.status === 'COMPENSATED') expect(statuses).toContain('COMPENSATED');
          if (run.status === 'CANCELLED') expect(snap.cancelRequested).toBe(true);
        } else {
          expect(statuses).toContain('COMPENSATION_FAILED');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
