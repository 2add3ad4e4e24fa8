import type { WorkflowDefinition } from '../definition/workflow-definition.js';
import { DELAY_TYPE } from '../definition/workflow-definition.js';
import { compensationsReady, isQuiescent, type RunGraph } from './compensation-planner.js';
import type { DecisionContext, RunEventType } from './run-events.js';
import type { RunHost } from './run-host.js';
import type { RunSnapshot } from './run-snapshot.js';
import type { RunStatus } from './run-status.js';

/**
 * What ending a run needs from it; the aggregate implements it. A separate interface (rather
 * than importing the aggregate) keeps this module below the run in the import graph.
 */
export interface EndingHost extends Pick<RunHost, 'setTaskStatus' | 'record'> {
  readonly state: RunSnapshot;
  readonly definition: WorkflowDefinition;
  readonly graph: RunGraph;
  setStatus(to: RunStatus): void;
  queueCompensation(i: number, ctx: DecisionContext): void;
}

/**
 * docs/contract.md#runs rule 2: once a run fails or is cancelled nothing new is queued; pending work is
 * skipped and waiting work (retry backoffs, `delay` timers) cancelled at once. A cancel also
 * cancels attempts no worker has started yet; started ones are left to report.
 */
export function beginUnwinding(run: EndingHost, ctx: DecisionContext): void {
  const cancelling = run.state.status === 'CANCELLING';
  run.state.tasks.forEach((t, i) => {
    const def = run.definition.tasks[i]!;
    if (t.status === 'PENDING') {
      run.setTaskStatus(i, 'SKIPPED');
      run.record(ctx, 'TaskSkipped', t.key, null, {});
    } else if (
      t.status === 'RETRYING' ||
      (t.status === 'RUNNING' && def.type === DELAY_TYPE) ||
      (t.status === 'QUEUED' && cancelling)
    ) {
      run.setTaskStatus(i, 'CANCELLED');
      t.timerAt = null;
      t.finishedAt = ctx.now;
      run.record(ctx, 'TaskCancelled', t.key, t.attempt, {});
    }
  });
  unwind(run, ctx);
}

/**
 * Queues every compensation whose dependents are done (docs/contract.md#runs rule 3) and, once nothing is in
 * flight, settles the final status: a failed compensation outranks a cancel; a failure ends
 * COMPENSATED if anything was undone, FAILED if not.
 */
export function unwind(run: EndingHost, ctx: DecisionContext): void {
  for (const i of compensationsReady(run.graph, run.definition.tasks, run.state.tasks)) {
    run.queueCompensation(i, ctx);
  }
  if (!isQuiescent(run.state.tasks)) return;
  const tasks = run.state.tasks;
  if (tasks.some((t) => t.status === 'COMPENSATION_FAILED')) {
    finish(run, 'COMPENSATION_FAILED', 'RunCompensationFailed', ctx);
  } else if (run.state.status === 'CANCELLING') {
    finish(run, 'CANCELLED', 'RunCancelled', ctx);
  } else if (tasks.some((t) => t.status === 'COMPENSATED')) {
    finish(run, 'COMPENSATED', 'RunCompensated', ctx);
  } else {
    finish(run, 'FAILED', 'RunFailed', ctx);
  }
}

/** Puts the run in a final status, recording its error (if any) on the closing event. */
export function finish(run: EndingHost, status: RunStatus, type: RunEventType, ctx: DecisionContext): void {
  run.setStatus(status);
  run.state.finishedAt = ctx.now;
  run.record(ctx, type, null, null, run.state.error ? { error: { ...run.state.error } } : {});
}
