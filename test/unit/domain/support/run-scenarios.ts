/**
 * Random runs for property tests: a random DAG whose tasks mix `noop` and `delay`, retries,
 * compensations and templates that may not resolve, driven by a random list of worker results,
 * timer firings, duplicates, cancels, retries and reloads, then drained until nothing is left.
 */
import { expect } from '@jest/globals';
import fc from 'fast-check';
import { validateDefinition } from '../../../../src/domain/definition/definition-validator.js';
import type { WorkflowDefinition } from '../../../../src/domain/definition/workflow-definition.js';
import type { AttemptOutcome } from '../../../../src/domain/run/run-events.js';
import { permanent, retryable, RunDriver, type StartOptions } from './builders.js';

export type Op =
  | 'complete'
  | 'completeBare'
  | 'retryable'
  | 'permanent'
  | 'started'
  | 'timer'
  | 'duplicate'
  | 'cancel'
  | 'retry'
  | 'restore';

const opArb = fc.oneof(
  { arbitrary: fc.constant<Op>('complete'), weight: 6 },
  { arbitrary: fc.constant<Op>('completeBare'), weight: 1 },
  { arbitrary: fc.constant<Op>('retryable'), weight: 3 },
  { arbitrary: fc.constant<Op>('permanent'), weight: 1 },
  { arbitrary: fc.constant<Op>('started'), weight: 2 },
  { arbitrary: fc.constant<Op>('timer'), weight: 3 },
  { arbitrary: fc.constant<Op>('duplicate'), weight: 1 },
  { arbitrary: fc.constant<Op>('cancel'), weight: 1 },
  { arbitrary: fc.constant<Op>('retry'), weight: 1 },
  { arbitrary: fc.constant<Op>('restore'), weight: 1 },
);

interface TaskShape {
  /** Indexes of lower tasks it depends on. */
  deps: number[];
  delayMs: number | null;
  maxAttempts: number;
  jitter: number;
  queueTimeoutMs: number;
  /** none, a plain compensation, or one whose input needs this task's output `id`. */
  compensation: 'none' | 'plain' | 'templated';
  /** Its input needs its first dependency's output `id`. */
  templatedInput: boolean;
}

const taskArb = (i: number): fc.Arbitrary<TaskShape> =>
  fc.record({
    deps: i === 0 ? fc.constant<number[]>([]) : fc.subarray(Array.from({ length: i }, (_, j) => j)),
    delayMs: fc.option(fc.integer({ min: 0, max: 50 }), { freq: 4 }),
    maxAttempts: fc.integer({ min: 1, max: 3 }),
    jitter: fc.constantFrom(0, 0.5),
    queueTimeoutMs: fc.integer({ min: 20, max: 300 }),
    compensation: fc.constantFrom('none', 'plain', 'plain', 'templated'),
    templatedInput: fc.boolean(),
  });

export const scenarioArb = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.record({
    tasks: fc.tuple(...Array.from({ length: n }, (_, i) => taskArb(i))),
    /** A run output template that needs task `outputFrom`'s `id`, or the default output. */
    outputFrom: fc.option(fc.integer({ min: 0, max: n - 1 }), { freq: 3 }),
    priority: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 3 }),
    seed: fc.integer(),
    steps: fc.array(fc.record({ op: opArb, pick: fc.nat() }), { maxLength: 60 }),
  }),
);

export type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

const keyOf = (i: number) => `t${i}`;

export function definitionFor(s: Scenario): WorkflowDefinition {
  const result = validateDefinition({
    name: 'prop',
    tasks: s.tasks.map((t, i) => ({
      key: keyOf(i),
      type: 'noop',
      dependsOn: t.deps.map(keyOf),
      ...(t.templatedInput && t.deps.length > 0
        ? { input: { from: `\${tasks.${keyOf(t.deps[0]!)}.output.id}` } }
        : {}),
      ...(t.delayMs !== null ? { type: 'delay', input: { ms: t.delayMs } } : {}),
      retry: { maxAttempts: t.maxAttempts, initialIntervalMs: 10, jitter: t.jitter },
      timeoutMs: 100,
      queueTimeoutMs: t.queueTimeoutMs,
      ...(t.compensation === 'none'
        ? {}
        : {
            compensation: {
              type: 'noop',
              retry: { initialIntervalMs: 5 },
              ...(t.compensation === 'templated'
                ? { input: { undo: `\${tasks.${keyOf(i)}.output.id}` } }
                : {}),
            },
          }),
    })),
    ...(s.outputFrom !== null ? { output: { id: `\${tasks.${keyOf(s.outputFrom)}.output.id}` } } : {}),
  });
  if (!result.valid) throw new Error(JSON.stringify(result.errors));
  return result.definition;
}

export function startOptionsFor(s: Scenario): StartOptions {
  return { priority: s.priority, random: seededRandom(s.seed) };
}

/** mulberry32: a small deterministic generator, so a failing case replays exactly. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

/**
 * Drives a run through the scenario's steps, then lets every attempt on a worker complete and
 * every timer fire until nothing is left. `after` sees the run after every step.
 */
export function driveScenario(s: Scenario, after: (run: RunDriver) => void): RunDriver {
  const definition = definitionFor(s);
  const run = RunDriver.start(definition, startOptionsFor(s));
  after(run);
  const applied: AttemptOutcome[] = [];
  const send = (d: Deliverable, op: Op, pick: number) => {
    const before = run.events.length;
    const ok =
      op === 'complete'
        ? run.complete(d.key, { id: pick }, d.kind, d.attempt)
        : op === 'completeBare'
          ? run.complete(d.key, {}, d.kind, d.attempt)
          : op === 'retryable'
            ? run.fail(d.key, retryable(), d.kind, d.attempt)
            : op === 'permanent'
              ? run.fail(d.key, permanent(), d.kind, d.attempt)
              : run.started(d.key, d.kind, d.attempt);
    if (ok && run.events.length > before) applied.push(lastOutcome(run, d, op, pick));
  };
  for (const { op, pick } of s.steps) {
    const status = run.status;
    if (op === 'timer') run.fireNextTimer();
    else if (op === 'restore') run.restore();
    else if (op === 'duplicate') {
      const old = applied[pick % Math.max(1, applied.length)];
      if (!old) continue;
      // A report applied before, arriving again (a redelivery, or a late one of an attempt the
      // run has since moved past) changes nothing at all.
      const events = run.events.length;
      const state = run.snapshot();
      run.deliver(old);
      expect({ events: run.events.length, state: run.snapshot() }).toStrictEqual({ events, state });
    } else if (op === 'cancel') {
      if (status !== 'RUNNING' && status !== 'CANCELLING') continue;
      run.cancel();
    } else if (op === 'retry') {
      if (status !== 'FAILED' && status !== 'COMPENSATION_FAILED') continue;
      run.retry();
    } else {
      const flight = onWorkers(run, definition);
      const d = flight[pick % Math.max(1, flight.length)];
      if (!d) continue;
      send(d, op, pick);
    }
    after(run);
  }
  for (let guard = 0; guard < 1000; guard++) {
    const d = onWorkers(run, definition)[0];
    if (d) send(d, 'complete', guard);
    else if (!run.fireNextTimer()) break;
    after(run);
  }
  return run;
}

/** The report just applied, rebuilt so it can be delivered again as a duplicate. */
function lastOutcome(run: RunDriver, d: Deliverable, op: Op, pick: number): AttemptOutcome {
  const now = run.last.events[0]!.at;
  const base = { taskKey: d.key, kind: d.kind, attempt: d.attempt, startedAt: now };
  if (op === 'complete') return { ...base, outcome: 'completed', output: { id: pick }, finishedAt: now };
  if (op === 'completeBare') return { ...base, outcome: 'completed', output: {}, finishedAt: now };
  if (op === 'started') return { ...base, outcome: 'started' };
  return {
    ...base,
    outcome: 'failed',
    error: op === 'permanent' ? permanent() : retryable(),
    finishedAt: now,
  };
}
