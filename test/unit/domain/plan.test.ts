import { describe, expect, it } from '@jest/globals';

import { planOf } from '../../../src/domain/definition/plan.js';
import { definitionOf, saga, task } from './support/builders.js';

const sorted = (levels: string[][]) => levels.map((l) => [...l].sort());

describe('planOf', () => {
  it('puts a chain on one level per task and compensates it backwards', () => {
    const plan = planOf(definitionOf({ tasks: [saga('a'), saga('b', ['a']), saga('c', ['b'])] }));
    expect(plan).toEqual({ levels: [['a'], ['b'], ['c']], compensation: [['c'], ['b'], ['a']] });
  });

  it('groups independent tasks of a fan-out / fan-in on one level, whatever the task order', () => {
    const plan = planOf(
      definitionOf({
        tasks: [
          saga('join', ['left', 'right']),
          saga('right', ['root']),
          saga('left', ['root']),
          saga('root'),
        ],
      }),
    );
    expect(sorted(plan.levels)).toEqual([['root'], ['left', 'right'], ['join']]);
    expect(sorted(plan.compensation)).toEqual([['join'], ['left', 'right'], ['root']]);
  });

  it('places a task one level below its deepest dependency', () => {
    const plan = planOf(
      definitionOf({ tasks: [task('a'), task('b', ['a']), task('c', ['a', 'b']), task('d')] }),
    );
    expect(sorted(plan.levels)).toEqual([['a', 'd'], ['b'], ['c']]);
  });

  it('leaves tasks without a compensation out, but keeps the order through them', () => {
    const plan = planOf(
      definitionOf({ tasks: [saga('a'), task('b', ['a']), saga('c', ['b']), saga('other')] }),
    );
    expect(sorted(plan.compensation)).toEqual([['c', 'other'], ['a']]);
  });

  it('has no compensation levels when no task has a compensation', () => {
    expect(planOf(definitionOf({ tasks: [task('a'), task('b', ['a'])] })).compensation).toEqual([]);
  });

  it('waits for the deepest compensating dependent, transitively', () => {
    // a ← b ← c ← d and a ← e: a waits for d, c, b (three levels), e compensates with d.
    const plan = planOf(
      definitionOf({
        tasks: [saga('a'), saga('b', ['a']), saga('c', ['b']), saga('d', ['c']), saga('e', ['a'])],
      }),
    );
    expect(sorted(plan.compensation)).toEqual([['d', 'e'], ['c'], ['b'], ['a']]);
  });
});
