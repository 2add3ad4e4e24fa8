import type { EventJson } from './run-json.js';
import { formatDuration, padEnd, printable } from './terminal-text.js';

/**
 * What one run event changed, in words (docs/events.md#catalogue): the line `sagaflow runs watch`
 * prints per change when its output is not a terminal. Plain text: no escapes, one line.
 */
export interface Change {
  at: string;
  /** `run`, or the task key (for compensation events, the task being compensated). */
  subject: string;
  /** `compensation` for compensation events (and compensation retries). */
  kind: 'run' | 'task' | 'compensation';
  /** The status it leaves its subject in, when the event sets one. */
  status: string | null;
  attempt: number | null;
  detail: string | null;
}

const TASK_STATUS_OF: Record<string, string> = {
  TaskQueued: 'QUEUED',
  TaskStarted: 'RUNNING',
  TaskCompleted: 'COMPLETED',
  TaskSkipped: 'SKIPPED',
  TaskCancelled: 'CANCELLED',
  CompensationQueued: 'QUEUED',
  CompensationStarted: 'RUNNING',
  CompensationCompleted: 'COMPLETED',
};

const RUN_STATUS_OF: Record<string, string> = {
  RunStarted: 'RUNNING',
  RunCancelRequested: 'CANCELLING',
  RunCompleted: 'COMPLETED',
  RunFailed: 'FAILED',
  RunCompensated: 'COMPENSATED',
  RunCompensationFailed: 'COMPENSATION_FAILED',
  RunCancelled: 'CANCELLED',
};

/** RunRetried's `data.from` → the status the retry leaves the run in (docs/contract.md#operator-commands-cancel-and-retry). */
const RETRIED_TO: Record<string, string> = { FAILED: 'RUNNING', COMPENSATION_FAILED: 'COMPENSATING' };

export function describeEvent(event: EventJson): Change {
  const base = { at: event.at, attempt: event.attempt, detail: null };
  const data = event.data ?? {};
  if (event.taskKey === null) {
    if (event.type === 'RunRetried') {
      const from = text(data.from);
      return {
        ...base,
        subject: 'run',
        kind: 'run',
        status: RETRIED_TO[from] ?? null,
        detail: `retried from ${from}`,
      };
    }
    return {
      ...base,
      subject: 'run',
      kind: 'run',
      status: RUN_STATUS_OF[event.type] ?? null,
      detail: runDetail(event),
    };
  }
  const subject = event.taskKey;
  const kind = event.type.startsWith('Compensation') ? 'compensation' : 'task';
  switch (event.type) {
    case 'TaskFailed':
    case 'CompensationFailed': {
      const final = data.final === true;
      const message = errorMessage(data.error);
      if (final) return { ...base, subject, kind, status: 'FAILED', detail: message || null };
      const which = event.attempt === null ? 'an attempt' : `attempt ${event.attempt}`;
      const detail = `${which} failed, will retry${message ? `: ${message}` : ''}`;
      return { ...base, subject, kind, status: null, attempt: null, detail };
    }
    case 'TaskRetryScheduled': {
      const next = typeof data.nextAttempt === 'number' ? data.nextAttempt : null;
      const delay = typeof data.delayMs === 'number' ? ` in ${formatDuration(data.delayMs)}` : '';
      // `attempt` is the failed one; what the line tells is the next one and when.
      return {
        ...base,
        subject,
        kind: data.kind === 'compensation' ? 'compensation' : 'task',
        status: 'RETRYING',
        attempt: null,
        detail: next === null ? null : `attempt ${next}${delay}`,
      };
    }
    default:
      return { ...base, subject, kind, status: TASK_STATUS_OF[event.type] ?? null, detail: null };
  }
}

function runDetail(event: EventJson): string | null {
  const data = event.data ?? {};
  switch (event.type) {
    case 'RunStarted': {
      const version =
        data.version === null || data.version === undefined ? 'inline' : `v${text(data.version)}`;
      return `${text(data.definition)} ${version}`;
    }
    case 'RunCancelRequested':
      return typeof data.reason === 'string' ? `reason: ${data.reason}` : null;
    case 'RunFailed':
    case 'RunCompensated':
    case 'RunCompensationFailed': {
      const error = data.error as { taskKey?: unknown; message?: unknown } | undefined;
      if (!error || typeof error.message !== 'string') return null;
      return typeof error.taskKey === 'string' ? `${error.taskKey}: ${error.message}` : error.message;
    }
    default:
      return null;
  }
}

/**
 * `2026-12-04T19:00:00.123Z  charge   compensation  RETRYING  attempt 2 in 200ms`:
 * the event's time, its subject padded to `subjectColumns`, what it became and why.
 */
export function formatChange(change: Change, subjectColumns = 0): string {
  const what = [
    change.kind === 'compensation' ? 'compensation' : null,
    change.status,
    change.attempt !== null && change.kind !== 'run' ? `attempt ${change.attempt}` : null,
  ].filter((part): part is string => part !== null);
  const parts = [change.at, padEnd(printable(change.subject), subjectColumns), what.join('  ')];
  if (change.detail) parts.push(change.detail);
  return printable(parts.filter((part) => part !== '').join('  ')).trimEnd();
}

function errorMessage(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { message } = error as { message?: unknown };
  return typeof message === 'string' ? message : '';
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '?';
}
