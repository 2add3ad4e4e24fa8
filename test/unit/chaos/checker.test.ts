/**
 * The chaos checker's rules (chaos/checker.ts): each count is 0 on a correct run and counts the
 * fault it names, so that a passing chaos run means something.
 */
import { describe, expect, it } from '@jest/globals';
import {
  compensationOrderViolations,
  dagOrderViolations,
  dependentsOf,
  expectedKey,
  histogram,
  resultsAppliedTwice,
  seqBroken,
  sideEffectReport,
  type CheckedEvent,
  type SideEffect,
} from '../../../chaos/checker.js';

const GRAPH = new Map<string, string[]>([
  ['a', []],
  ['b', ['a']],
  ['c', ['a']],
  ['d', ['b', 'c']],
]);
const COMPENSATED = new Set(['a', 'b', 'c']);

/** Builds events from `type/task/attempt` labels, numbering seq from 1. */
function events(...labels: string[]): CheckedEvent[] {
  return labels.map((label, i) => {
    const [type, taskKey, attempt] = label.split('/');
    return {
      seq: i + 1,
      type: type!,
      taskKey: taskKey ?? null,
      attempt: attempt === undefined ? null : Number(attempt),
    };
  });
}

const completedRun = events(
  'RunStarted',
  'TaskQueued/a/1',
  'TaskStarted/a/1',
  'TaskCompleted/a/1',
  'TaskQueued/b/1',
  'TaskQueued/c/1',
  'TaskCompleted/c/1',
  'TaskCompleted/b/1',
  'TaskQueued/d/1',
  'TaskCompleted/d/1',
  'RunCompleted',
);

const compensatedRun = events(
  'RunStarted',
  'TaskQueued/a/1',
  'TaskCompleted/a/1',
  'TaskQueued/b/1',
  'TaskQueued/c/1',
  'TaskCompleted/b/1',
  'TaskCompleted/c/1',
  'TaskQueued/d/1',
  'TaskFailed/d/1',
  'CompensationQueued/b/1',
  'CompensationQueued/c/1',
  'CompensationCompleted/c/1',
  'CompensationCompleted/b/1',
  'CompensationQueued/a/1',
  'CompensationCompleted/a/1',
  'RunCompensated',
);

describe('chaos checker', () => {
  it('finds nothing wrong in a completed run and in a run compensated in reverse order', () => {
    for (const run of [completedRun, compensatedRun]) {
      expect(resultsAppliedTwice(run)).toBe(0);
      expect(seqBroken(run)).toBe(false);
      expect(dagOrderViolations(run, GRAPH)).toBe(0);
      expect(compensationOrderViolations(run, GRAPH, COMPENSATED)).toBe(0);
    }
  });

  it('counts a result applied twice for one attempt, but not results of different attempts', () => {
    const twice = events('TaskQueued/a/1', 'TaskCompleted/a/1', 'TaskCompleted/a/1', 'TaskFailed/a/1');
    expect(resultsAppliedTwice(twice)).toBe(2);
    const retried = events(
      'TaskFailed/a/1',
      'TaskRetryScheduled/a/1',
      'TaskCompleted/a/2',
      'CompensationCompleted/a/1',
    );
    expect(resultsAppliedTwice(retried)).toBe(0);
  });

  it('sees a gap or a repeat in seq', () => {
    expect(
      seqBroken([
        { seq: 1, type: 'RunStarted', taskKey: null, attempt: null },
        { seq: 3, type: 'RunCompleted', taskKey: null, attempt: null },
      ]),
    ).toBe(true);
  });

  it('counts a task queued before all of its dependencies completed', () => {
    const early = events(
      'TaskQueued/a/1',
      'TaskCompleted/a/1',
      'TaskQueued/b/1',
      'TaskQueued/d/1',
      'TaskCompleted/b/1',
    );
    expect(dagOrderViolations(early, GRAPH)).toBe(1);
  });

  it('counts a compensation queued while a dependent is uncompensated or still running', () => {
    const beforeDependent = events(
      'TaskCompleted/a/1',
      'TaskCompleted/b/1',
      'TaskCompleted/c/1',
      'TaskFailed/d/1',
      'CompensationQueued/a/1',
      'CompensationQueued/b/1',
      'CompensationCompleted/b/1',
      'CompensationQueued/c/1',
    );
    expect(compensationOrderViolations(beforeDependent, GRAPH, COMPENSATED)).toBe(1);
    const whileRunning = events(
      'TaskCompleted/a/1',
      'TaskCompleted/b/1',
      'TaskQueued/c/1',
      'TaskFailed/c/1',
      'TaskQueued/d/1',
      'CompensationQueued/b/1',
    );
    // d depends on b and is still queued: b's undo must wait for d to end.
    expect(compensationOrderViolations(whileRunning, GRAPH, COMPENSATED)).toBe(1);
  });

  it('knows every transitive dependent', () => {
    expect([...dependentsOf('a', GRAPH)].sort()).toEqual(['b', 'c', 'd']);
    expect([...dependentsOf('d', GRAPH)]).toEqual([]);
  });

  it('reports side effects per key, missing ones and keys that are not stable', () => {
    const effect = (
      runId: string,
      taskKey: string,
      kind: SideEffect['kind'],
      key = expectedKey(runId, taskKey, kind),
    ) => ({
      idempotencyKey: key,
      runId,
      taskKey,
      kind,
    });
    const report = sideEffectReport(
      [
        effect('r1', 'a', 'task'),
        effect('r1', 'a', 'task'),
        effect('r1', 'a', 'compensation'),
        effect('r1', 'b', 'task', 'r1:a'),
      ],
      new Set(['r1/a/task', 'r1/a/compensation', 'r1/c/task']),
    );
    expect(histogram(report.perKey)).toEqual({ 1: 1, 3: 1 });
    // r1/c completed with no side effect; b arrived under a's key.
    expect(report.missing).toBe(1);
    expect(report.unstableKeys).toBe(1);
    const clean = sideEffectReport([effect('r2', 'a', 'task')], new Set(['r2/a/task']));
    expect([clean.missing, clean.unstableKeys]).toEqual([0, 0]);
  });
});
