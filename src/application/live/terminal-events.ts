import type { RunEventType } from '../../domain/run/run-events.js';
import { isFinalRunStatus, type RunStatus } from '../../domain/run/run-status.js';

/**
 * The events that end a run (docs/events.md#events-that-end-a-run), with the status each
 * leaves it in. Each is the last event its run writes unless an operator retries it, which only
 * `FAILED` and `COMPENSATION_FAILED` allow.
 */
export const TERMINAL_EVENT_STATUS = {
  RunCompleted: 'COMPLETED',
  RunFailed: 'FAILED',
  RunCompensated: 'COMPENSATED',
  RunCompensationFailed: 'COMPENSATION_FAILED',
  RunCancelled: 'CANCELLED',
} as const satisfies Partial<Record<RunEventType, RunStatus>>;

export type TerminalEventType = keyof typeof TERMINAL_EVENT_STATUS;

export const TERMINAL_EVENT_TYPES = Object.keys(TERMINAL_EVENT_STATUS) as TerminalEventType[];

export function isTerminalEvent(type: string): type is TerminalEventType {
  return Object.hasOwn(TERMINAL_EVENT_STATUS, type);
}

/** The status a terminal event leaves its run in; null for any other event. */
export function terminalStatus(type: string): RunStatus | null {
  return isTerminalEvent(type) ? TERMINAL_EVENT_STATUS[type] : null;
}

/** Terminal events after which no event can follow at all (no retry leaves their status). */
export function isFinalEvent(type: string): boolean {
  const status = terminalStatus(type);
  return status !== null && isFinalRunStatus(status);
}
