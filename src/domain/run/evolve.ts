import { IllegalTransitionError } from '../shared/domain-error.js';
import { cloneRunState } from './clone-run.js';
import { evolveAttempt } from './evolve-attempt.js';
import type { DomainRunEvent } from './run-facts.js';
import type { RunError, RunSnapshot } from './run-snapshot.js';
import { assertRunTransition, type RunStatus } from './run-status.js';
import { assertTaskTransition } from './task-status.js';

/**
 * The only way a run's state changes (docs/architecture.md, "The run aggregate decides, the saga
 * persists"): `evolve(state, event)` is the state after the event. Pure: folding a run's events
 * over `initialRunState` gives exactly the state its aggregate holds.
 */
export function evolve(state: RunSnapshot, event: DomainRunEvent): RunSnapshot {
  const next = cloneRunState(state);
  evolveDraft(next, event);
  return next;
}

/**
 * `evolve` in place, on a state the caller owns (the aggregate's private one). Returns the
 * indexes of the task rows the event changed.
 */
export function evolveDraft(draft: RunSnapshot, event: DomainRunEvent): number[] {
  if (event.seq !== draft.lastSeq + 1) {
    throw new IllegalTransitionError('event seq', String(draft.lastSeq), String(event.seq));
  }
  draft.lastSeq = event.seq;
  switch (event.type) {
    case 'RunStarted':
      setStatus(draft, 'RUNNING');
      draft.startedAt = event.at;
      return [];
    case 'RunCancelRequested':
      setStatus(draft, 'CANCELLING');
      draft.cancelRequested = true;
      draft.cancelReason = event.facts.reason;
      return [];
    case 'RunRetried': {
      const changed = retried(draft);
      if (event.facts.runError) failRun(draft, event.facts.runError);
      return changed;
    }
    case 'RunCompleted':
      draft.output = event.facts.output;
      return finish(draft, 'COMPLETED', event.at);
    case 'RunFailed':
      return finish(draft, 'FAILED', event.at);
    case 'RunCompensated':
      return finish(draft, 'COMPENSATED', event.at);
    case 'RunCompensationFailed':
      return finish(draft, 'COMPENSATION_FAILED', event.at);
    case 'RunCancelled':
      return finish(draft, 'CANCELLED', event.at);
    default: {
      const i = rowOf(draft, event.taskKey);
      const runError = evolveAttempt(draft.tasks[i]!, event);
      if (runError) failRun(draft, runError);
      return [i];
    }
  }
}

/** The event failed the run (docs/contract.md#runs rule 2): it stops accepting work and unwinds. */
function failRun(draft: RunSnapshot, error: RunError): void {
  setStatus(draft, 'COMPENSATING');
  draft.error = { ...error };
}

function setStatus(draft: RunSnapshot, to: RunStatus): void {
  assertRunTransition(draft.status, to);
  draft.status = to;
}

function finish(draft: RunSnapshot, to: RunStatus, at: Date): number[] {
  setStatus(draft, to);
  draft.finishedAt = at;
  return [];
}

/**
 * An operator retry (docs/contract.md#operator-commands-cancel-and-retry): a FAILED run runs again
 * with its failed, skipped and cancelled tasks pending (the failed ones with a fresh budget); a
 * COMPENSATION_FAILED run unwinds again, its failed compensations with a fresh budget.
 */
function retried(draft: RunSnapshot): number[] {
  const changed: number[] = [];
  draft.finishedAt = null;
  if (draft.status === 'FAILED') {
    setStatus(draft, 'RUNNING');
    draft.error = null;
    draft.tasks.forEach((t, i) => {
      if (t.status === 'FAILED') t.budgetBase = t.attempt;
      if (t.status === 'FAILED' || t.status === 'SKIPPED' || t.status === 'CANCELLED') {
        assertTaskTransition(t.status, 'PENDING');
        t.status = 'PENDING';
        t.error = null;
        changed.push(i);
      }
    });
    return changed;
  }
  setStatus(draft, draft.cancelRequested ? 'CANCELLING' : 'COMPENSATING');
  draft.tasks.forEach((t, i) => {
    if (t.status !== 'COMPENSATION_FAILED' || !t.compensation) return;
    t.compensation.budgetBase = t.compensation.attempt;
    changed.push(i);
  });
  return changed;
}

/** Row of a task key; the index is cached per task array, which a draft keeps for its life. */
const rows = new WeakMap<RunSnapshot['tasks'], Map<string, number>>();

function rowOf(draft: RunSnapshot, key: string | null): number {
  let index = rows.get(draft.tasks);
  if (!index) {
    index = new Map(draft.tasks.map((t, i) => [t.key, i]));
    rows.set(draft.tasks, index);
  }
  const i = key === null ? undefined : index.get(key);
  if (i === undefined) throw new IllegalTransitionError('event', 'task', String(key));
  return i;
}
