import { IllegalTransitionError } from '../shared/domain-error.js';

export const TASK_STATUSES = [
  'PENDING',
  'QUEUED',
  'RUNNING',
  'RETRYING',
  'COMPLETED',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
  'COMPENSATING',
  'COMPENSATED',
  'COMPENSATION_FAILED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * docs/contract.md#runs task lifecycle. `PENDING → RUNNING` and `RETRYING → RUNNING` are `delay` tasks,
 * which start when their timer is set; `PENDING → FAILED` is a task whose input template
 * cannot be resolved; `QUEUED → CANCELLED` is a cancel before any worker took the attempt;
 * `FAILED/SKIPPED/CANCELLED → PENDING` is an operator retry.
 */
const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  PENDING: ['QUEUED', 'RUNNING', 'SKIPPED', 'FAILED'],
  QUEUED: ['RUNNING', 'COMPLETED', 'FAILED', 'RETRYING', 'CANCELLED'],
  RUNNING: ['COMPLETED', 'FAILED', 'RETRYING', 'CANCELLED'],
  RETRYING: ['QUEUED', 'RUNNING', 'FAILED', 'CANCELLED'],
  COMPLETED: ['COMPENSATING'],
  FAILED: ['PENDING'],
  SKIPPED: ['PENDING'],
  CANCELLED: ['PENDING'],
  COMPENSATING: ['COMPENSATED', 'COMPENSATION_FAILED'],
  COMPENSATION_FAILED: ['COMPENSATING'],
  COMPENSATED: [],
};

export function assertTaskTransition(from: TaskStatus, to: TaskStatus): void {
  if (!TASK_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('task', from, to);
}

/** On a worker or waiting to go back to one: its outcome is still to come. */
export function isTaskInFlight(status: TaskStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING' || status === 'RETRYING';
}

export const COMPENSATION_STATUSES = [
  'PENDING',
  'QUEUED',
  'RUNNING',
  'RETRYING',
  'COMPLETED',
  'FAILED',
] as const;
export type CompensationStatus = (typeof COMPENSATION_STATUSES)[number];

const COMPENSATION_TRANSITIONS: Record<CompensationStatus, readonly CompensationStatus[]> = {
  PENDING: ['QUEUED', 'RUNNING', 'FAILED'],
  QUEUED: ['RUNNING', 'COMPLETED', 'FAILED', 'RETRYING'],
  RUNNING: ['COMPLETED', 'FAILED', 'RETRYING'],
  RETRYING: ['QUEUED', 'RUNNING', 'FAILED'],
  FAILED: ['QUEUED', 'RUNNING'],
  COMPLETED: [],
};

export function assertCompensationTransition(from: CompensationStatus, to: CompensationStatus): void {
  if (!COMPENSATION_TRANSITIONS[from].includes(to))
    throw new IllegalTransitionError('compensation', from, to);
}

export function isCompensationInFlight(status: CompensationStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING' || status === 'RETRYING';
}
