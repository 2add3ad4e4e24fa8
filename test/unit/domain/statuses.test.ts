import { describe, expect, it } from '@jest/globals';

import {
  assertRunTransition,
  canTransitionRun,
  isFinalRunStatus,
  isRunStatus,
  isUnwinding,
  RUN_STATUSES,
  type RunStatus,
} from '../../../src/domain/run/run-status.js';
import {
  assertCompensationTransition,
  assertTaskTransition,
  COMPENSATION_STATUSES,
  isCompensationInFlight,
  isTaskInFlight,
  TASK_STATUSES,
  type CompensationStatus,
  type TaskStatus,
} from '../../../src/domain/run/task-status.js';
import { IllegalTransitionError } from '../../../src/domain/shared/domain-error.js';

/** Every arrow docs/contract.md#runs draws for runs, and nothing else. */
const RUN_ARROWS: [RunStatus, RunStatus][] = [
  ['PENDING', 'RUNNING'],
  ['RUNNING', 'COMPLETED'],
  ['RUNNING', 'COMPENSATING'],
  ['RUNNING', 'CANCELLING'],
  ['COMPENSATING', 'COMPENSATED'],
  ['COMPENSATING', 'FAILED'],
  ['COMPENSATING', 'COMPENSATION_FAILED'],
  ['CANCELLING', 'CANCELLED'],
  ['CANCELLING', 'COMPENSATION_FAILED'],
  ['FAILED', 'RUNNING'],
  ['COMPENSATION_FAILED', 'COMPENSATING'],
  ['COMPENSATION_FAILED', 'CANCELLING'],
];

const TASK_ARROWS: [TaskStatus, TaskStatus][] = [
  ['PENDING', 'QUEUED'],
  ['PENDING', 'RUNNING'],
  ['PENDING', 'SKIPPED'],
  ['PENDING', 'FAILED'],
  ['QUEUED', 'RUNNING'],
  ['QUEUED', 'COMPLETED'],
  ['QUEUED', 'FAILED'],
  ['QUEUED', 'RETRYING'],
  ['QUEUED', 'CANCELLED'],
  ['RUNNING', 'COMPLETED'],
  ['RUNNING', 'FAILED'],
  ['RUNNING', 'RETRYING'],
  ['RUNNING', 'CANCELLED'],
  ['RETRYING', 'QUEUED'],
  ['RETRYING', 'RUNNING'],
  ['RETRYING', 'FAILED'],
  ['RETRYING', 'CANCELLED'],
  ['COMPLETED', 'COMPENSATING'],
  ['FAILED', 'PENDING'],
  ['SKIPPED', 'PENDING'],
  ['CANCELLED', 'PENDING'],
  ['COMPENSATING', 'COMPENSATED'],
  ['COMPENSATING', 'COMPENSATION_FAILED'],
  ['COMPENSATION_FAILED', 'COMPENSATING'],
];

const pairs = <S extends string>(all: readonly S[]) =>
  all.flatMap((from) => all.map((to) => [from, to] as const));
const has = <S>(arrows: [S, S][], from: S, to: S) => arrows.some(([f, t]) => f === from && t === to);

describe('run status transitions', () => {
  it.each(pairs(RUN_STATUSES))(
    '%s → %s is allowed exactly when docs/contract.md#runs draws it',
    (from, to) => {
      const allowed = has(RUN_ARROWS, from, to);
      expect(canTransitionRun(from, to)).toBe(allowed);
      if (allowed) expect(() => assertRunTransition(from, to)).not.toThrow();
      else expect(() => assertRunTransition(from, to)).toThrow(IllegalTransitionError);
    },
  );

  it('names both ends of an illegal move', () => {
    expect(() => assertRunTransition('COMPLETED', 'RUNNING')).toThrow(
      'illegal run transition COMPLETED → RUNNING',
    );
  });

  it('classifies final and unwinding statuses', () => {
    expect(RUN_STATUSES.filter(isFinalRunStatus)).toEqual(['COMPLETED', 'COMPENSATED', 'CANCELLED']);
    expect(RUN_STATUSES.filter(isUnwinding)).toEqual(['COMPENSATING', 'CANCELLING']);
    expect(isRunStatus('RUNNING')).toBe(true);
    expect(isRunStatus('running')).toBe(false);
  });
});

describe('task status transitions', () => {
  it.each(pairs(TASK_STATUSES))('%s → %s', (from, to) => {
    if (has(TASK_ARROWS, from, to)) expect(() => assertTaskTransition(from, to)).not.toThrow();
    else expect(() => assertTaskTransition(from, to)).toThrow(IllegalTransitionError);
  });

  it('has COMPENSATED as a dead end and never goes back to COMPLETED', () => {
    for (const to of TASK_STATUSES) expect(() => assertTaskTransition('COMPENSATED', to)).toThrow();
    for (const from of TASK_STATUSES.filter((s) => s !== 'QUEUED' && s !== 'RUNNING')) {
      expect(() => assertTaskTransition(from, 'COMPLETED')).toThrow();
    }
  });

  it('counts QUEUED, RUNNING and RETRYING as in flight', () => {
    expect(TASK_STATUSES.filter(isTaskInFlight)).toEqual(['QUEUED', 'RUNNING', 'RETRYING']);
    expect(COMPENSATION_STATUSES.filter(isCompensationInFlight)).toEqual(['QUEUED', 'RUNNING', 'RETRYING']);
  });
});

describe('compensation status transitions', () => {
  const ARROWS: [CompensationStatus, CompensationStatus][] = [
    ['PENDING', 'QUEUED'],
    ['PENDING', 'RUNNING'],
    ['PENDING', 'FAILED'],
    ['QUEUED', 'RUNNING'],
    ['QUEUED', 'COMPLETED'],
    ['QUEUED', 'FAILED'],
    ['QUEUED', 'RETRYING'],
    ['RUNNING', 'COMPLETED'],
    ['RUNNING', 'FAILED'],
    ['RUNNING', 'RETRYING'],
    ['RETRYING', 'QUEUED'],
    ['RETRYING', 'RUNNING'],
    ['RETRYING', 'FAILED'],
    ['FAILED', 'QUEUED'],
    ['FAILED', 'RUNNING'],
  ];

  it.each(pairs(COMPENSATION_STATUSES))('%s → %s', (from, to) => {
    if (has(ARROWS, from, to)) expect(() => assertCompensationTransition(from, to)).not.toThrow();
    else expect(() => assertCompensationTransition(from, to)).toThrow(IllegalTransitionError);
  });
});
