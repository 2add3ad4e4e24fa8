import { IllegalTransitionError } from '../shared/domain-error.js';

export const RUN_STATUSES = [
  'PENDING',
  'RUNNING',
  'COMPLETED',
  'COMPENSATING',
  'COMPENSATED',
  'FAILED',
  'COMPENSATION_FAILED',
  'CANCELLING',
  'CANCELLED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** docs/contract.md#runs, exactly: every arrow of the run state machine and nothing else. */
const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  PENDING: ['RUNNING'],
  RUNNING: ['COMPLETED', 'COMPENSATING', 'CANCELLING'],
  COMPENSATING: ['COMPENSATED', 'FAILED', 'COMPENSATION_FAILED'],
  CANCELLING: ['CANCELLED', 'COMPENSATION_FAILED'],
  FAILED: ['RUNNING'],
  COMPENSATION_FAILED: ['COMPENSATING', 'CANCELLING'],
  COMPLETED: [],
  COMPENSATED: [],
  CANCELLED: [],
};

export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertRunTransition(from: RunStatus, to: RunStatus): void {
  if (!canTransitionRun(from, to)) throw new IllegalTransitionError('run', from, to);
}

/** Statuses no event can leave (FAILED is left only by an operator retry). */
export function isFinalRunStatus(status: RunStatus): boolean {
  return status === 'COMPLETED' || status === 'COMPENSATED' || status === 'CANCELLED';
}

/** The run is winding down: nothing new is queued, only compensation. */
export function isUnwinding(status: RunStatus): boolean {
  return status === 'COMPENSATING' || status === 'CANCELLING';
}

export function isRunStatus(value: string): value is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(value);
}
