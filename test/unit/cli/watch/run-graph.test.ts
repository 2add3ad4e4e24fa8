import { describe, expect, it } from '@jest/globals';
import {
  compensationPass,
  hasDependencies,
  taskLevels,
  withDependencies,
} from '../../../../src/interfaces/cli/watch/run-graph.js';
import type { RunJson, TaskJson } from '../../../../src/interfaces/cli/watch/run-json.js';
import { compensatedRun, compensatingRun, completedRun, runningRun } from './run-fixtures.js';

const t = (key: string, dependsOn: string[] | undefined, fields: Partial<TaskJson> = {}): TaskJson => ({
  ...completedRun.tasks[0]!,
  key,
  dependsOn,
  ...fields,
});
const keys = (levels: { level: number; tasks: TaskJson[] }[]) =>
  levels.map((level) => [level.level, level.tasks.map((task) => task.key)]);

describe('taskLevels', () => {
  it('puts each task one level below its deepest dependency, in definition order within a level', () => {
    const tasks = [
      t('ship', ['pack', 'charge']),
      t('charge', ['reserve']),
      t('pack', ['reserve']),
      t('reserve', []),
    ];
    expect(keys(taskLevels(tasks))).toEqual([
      [1, ['reserve']],
      [2, ['charge', 'pack']],
      [3, ['ship']],
    ]);
  });

  it('waits for the longest path, not the first dependency seen', () => {
    const tasks = [t('a', []), t('b', ['a']), t('c', ['b']), t('d', ['a', 'c'])];
    expect(keys(taskLevels(tasks))).toEqual([
      [1, ['a']],
      [2, ['b']],
      [3, ['c']],
      [4, ['d']],
    ]);
  });

  it('ignores unknown, repeated and self dependencies, and keeps a cycle in a last level', () => {
    const tasks = [t('a', ['ghost', 'a']), t('b', ['a', 'a']), t('x', ['y']), t('y', ['x'])];
    expect(keys(taskLevels(tasks))).toEqual([
      [1, ['a']],
      [2, ['b']],
      [3, ['x', 'y']],
    ]);
  });

  it('treats a task without dependsOn as a root', () => {
    expect(keys(taskLevels([t('a', undefined), t('b', ['a'])]))).toEqual([
      [1, ['a']],
      [2, ['b']],
    ]);
  });
});

describe('compensationPass', () => {
  it('is empty while a run goes forward and after it completes', () => {
    for (const run of [runningRun, completedRun])
      expect(compensationPass(run, taskLevels(run.tasks))).toEqual([]);
  });

  it('lists the completed tasks that have a compensation, deepest level first', () => {
    const run: RunJson = {
      ...compensatingRun,
      tasks: [
        t('a', [], { status: 'COMPENSATED' }),
        t('b', ['a'], { status: 'COMPENSATING' }),
        t('c', ['a'], { status: 'COMPLETED', compensation: null }), // nothing to undo
        t('d', ['b'], { status: 'COMPLETED' }), // its compensation is still to come
        t('e', ['b'], { status: 'FAILED' }),
        t('f', ['e'], { status: 'SKIPPED' }),
      ],
    };
    expect(keys(compensationPass(run, taskLevels(run.tasks)))).toEqual([
      [3, ['d']],
      [2, ['b']],
      [1, ['a']],
    ]);
  });

  it('shows the pass of a finished saga and of a cancelled run', () => {
    expect(keys(compensationPass(compensatedRun, taskLevels(compensatedRun.tasks)))).toEqual([
      [1, ['reserve']],
    ]);
    const cancelled: RunJson = { ...compensatedRun, status: 'CANCELLED', error: null };
    expect(keys(compensationPass(cancelled, taskLevels(cancelled.tasks)))).toEqual([[1, ['reserve']]]);
  });
});

describe('withDependencies', () => {
  it('fills dependsOn from the definition only where the run lacks it', () => {
    const run: RunJson = { ...completedRun, tasks: [t('a', undefined), t('b', undefined), t('c', ['a'])] };
    expect(hasDependencies(run)).toBe(false);
    const filled = withDependencies(run, {
      tasks: [{ key: 'a' }, { key: 'b', dependsOn: ['a'] }, { key: 'c' }],
    });
    expect(filled.tasks.map((task) => task.dependsOn)).toEqual([[], ['a'], ['a']]);
    expect(hasDependencies(filled)).toBe(true);
    expect(run.tasks[0]!.dependsOn).toBeUndefined(); // not mutated: --json prints the run as it came
  });

  it('returns the run itself when it has its dependencies or there is no definition', () => {
    expect(withDependencies(completedRun, { tasks: [] })).toBe(completedRun);
    const bare: RunJson = { ...completedRun, tasks: [t('a', undefined)] };
    expect(withDependencies(bare, null)).toBe(bare);
  });
});
