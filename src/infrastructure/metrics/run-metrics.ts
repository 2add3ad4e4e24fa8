import { Counter, Histogram, type Registry } from 'prom-client';
import type { Committed } from '../../application/engine/run-orchestrator.js';
import { DELAY_TYPE, type WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { RunEvent, RunEventType } from '../../domain/run/run-events.js';
import type { ExecutionSnapshot, RunSnapshot } from '../../domain/run/run-snapshot.js';
import type { RunStatus } from '../../domain/run/run-status.js';
import { BoundedLabel } from './bounded-label.js';

/** What became of one attempt: done, failed with a retry to follow, or failed for good. */
export type AttemptOutcomeLabel = 'completed' | 'retried' | 'failed';

/** The label for runs started from an inline definition: their names are per request. */
export const INLINE_DEFINITION_LABEL = '(inline)';
/** Task type of an attempt whose definition the commit did not carry (should not happen). */
const UNKNOWN_TYPE = 'unknown';

const DEFINITION_LABEL_LIMIT = 200;
const TYPE_LABEL_LIMIT = 100;

/** From a few milliseconds (no-op handlers) to minutes (slow HTTP calls, long delays). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Queueing is milliseconds when workers keep up and seconds to minutes when they do not. */
const READY_TO_START_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

const FINAL_STATUS: Partial<Record<RunEventType, RunStatus>> = {
  RunCompleted: 'COMPLETED',
  RunFailed: 'FAILED',
  RunCompensated: 'COMPENSATED',
  RunCompensationFailed: 'COMPENSATION_FAILED',
  RunCancelled: 'CANCELLED',
};

type Kind = 'task' | 'compensation';

/**
 * Counts runs and attempts from what the orchestrator committed (its after-commit listener), so a
 * decision thrown away on a version conflict, a duplicate result or a late one is never counted,
 * and each attempt is counted once by the process that applied it. It runs on the commit path:
 * in-memory increments only, nothing awaited.
 */
export class RunMetrics {
  /** Bounded label values; the queue-depth collector reads the task types seen here. */
  readonly definitions = new BoundedLabel(DEFINITION_LABEL_LIMIT);
  readonly types = new BoundedLabel(TYPE_LABEL_LIMIT);
  private readonly runsStarted: Counter<'definition'>;
  private readonly runsFinished: Counter<'definition' | 'status'>;
  private readonly attempts: Counter<'type' | 'kind' | 'outcome'>;
  private readonly duration: Histogram<'type' | 'kind'>;
  private readonly readyToStart: Histogram<'type' | 'kind'>;
  private readonly positions = new WeakMap<WorkflowDefinition, Map<string, number>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.runsStarted = new Counter({
      name: 'sagaflow_runs_started_total',
      help: 'Runs started, by definition name',
      labelNames: ['definition'],
      registers,
    });
    this.runsFinished = new Counter({
      name: 'sagaflow_runs_finished_total',
      help: 'Runs that reached COMPLETED, COMPENSATED, FAILED, COMPENSATION_FAILED or CANCELLED',
      labelNames: ['definition', 'status'],
      registers,
    });
    this.attempts = new Counter({
      name: 'sagaflow_task_attempts_total',
      help: 'Task and compensation attempts that ended: completed, retried (failed, another attempt follows) or failed (for good)',
      labelNames: ['type', 'kind', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'sagaflow_task_duration_seconds',
      help: 'Attempt duration, from when the worker received it to when it finished',
      labelNames: ['type', 'kind'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.readyToStart = new Histogram({
      name: 'sagaflow_task_ready_to_start_seconds',
      help: 'Time an attempt waited between being queued (commit) and a worker receiving it',
      labelNames: ['type', 'kind'],
      buckets: READY_TO_START_BUCKETS,
      registers,
    });
  }

  /** Counts what one atomic write recorded (an `onCommitted` listener of the orchestrator). */
  committed(committed: Committed): void {
    for (const write of committed.writes) {
      const events = write.changes.events;
      if (events.length === 0) continue;
      const definition = committed.definitions.get(write.snapshot.id);
      for (const event of events) this.count(write.snapshot, definition, event);
    }
  }

  private count(run: RunSnapshot, definition: WorkflowDefinition | undefined, event: RunEvent): void {
    switch (event.type) {
      case 'RunStarted':
        this.runsStarted.inc({ definition: this.definitionLabel(run) });
        return;
      case 'TaskQueued':
      case 'CompensationQueued':
        // Only remembered: the queue-depth collector checks the queue of every type seen.
        if (typeof event.data.type === 'string') this.types.value(event.data.type);
        return;
      case 'TaskStarted':
      case 'CompensationStarted':
        this.started(run, definition, event);
        return;
      case 'TaskCompleted':
      case 'CompensationCompleted':
        this.ended(run, definition, event, 'completed');
        return;
      case 'TaskFailed':
      case 'CompensationFailed':
        this.ended(run, definition, event, event.data.final === true ? 'failed' : 'retried');
        return;
      default: {
        const status = FINAL_STATUS[event.type];
        if (status) this.runsFinished.inc({ definition: this.definitionLabel(run), status });
      }
    }
  }

  private started(run: RunSnapshot, definition: WorkflowDefinition | undefined, event: RunEvent): void {
    const attempt = this.attempt(run, definition, event);
    // A `delay` "starts" when its timer is set, in the same decision that queued it: no wait to measure.
    if (!attempt || attempt.type === DELAY_TYPE) return;
    const { exec, labels } = attempt;
    if (exec.queuedAt && exec.startedAt) {
      this.readyToStart.observe(labels, seconds(exec.queuedAt, exec.startedAt));
    }
  }

  private ended(
    run: RunSnapshot,
    definition: WorkflowDefinition | undefined,
    event: RunEvent,
    outcome: AttemptOutcomeLabel,
  ): void {
    const attempt = this.attempt(run, definition, event);
    if (!attempt) return;
    const { exec, labels } = attempt;
    this.attempts.inc({ ...labels, outcome });
    // An attempt failed before it was sent (an unresolvable template) has no duration.
    if (exec.startedAt && exec.finishedAt)
      this.duration.observe(labels, seconds(exec.startedAt, exec.finishedAt));
  }

  /** The execution the event is about, as committed, with its labels; null if it moved on. */
  private attempt(
    run: RunSnapshot,
    definition: WorkflowDefinition | undefined,
    event: RunEvent,
  ): { exec: ExecutionSnapshot; type: string; labels: { type: string; kind: Kind } } | null {
    const kind: Kind = event.type.startsWith('Compensation') ? 'compensation' : 'task';
    const index = event.taskKey === null ? undefined : this.position(run, definition, event.taskKey);
    if (index === undefined) return null;
    const task = run.tasks[index]!;
    const exec = kind === 'task' ? task : task.compensation;
    // Several attempts of one task cannot settle in one write, but be safe: times are per attempt.
    if (!exec || exec.attempt !== event.attempt) return null;
    const step = definition?.tasks[index];
    const type = (kind === 'task' ? step?.type : step?.compensation?.type) ?? UNKNOWN_TYPE;
    return { exec, type, labels: { type: this.types.value(type), kind } };
  }

  /** Index of the task in the run (= in its definition); definitions are immutable, so cached. */
  private position(
    run: RunSnapshot,
    definition: WorkflowDefinition | undefined,
    key: string,
  ): number | undefined {
    if (!definition) {
      const index = run.tasks.findIndex((t) => t.key === key);
      return index < 0 ? undefined : index;
    }
    let positions = this.positions.get(definition);
    if (!positions) {
      positions = new Map(definition.tasks.map((t, i) => [t.key, i]));
      this.positions.set(definition, positions);
    }
    return positions.get(key);
  }

  private definitionLabel(run: RunSnapshot): string {
    return run.definitionRef.inline
      ? INLINE_DEFINITION_LABEL
      : this.definitions.value(run.definitionRef.name);
  }
}

function seconds(from: Date, to: Date): number {
  // Queue and start times come from different clocks (orchestrator, worker): never negative.
  return Math.max(0, to.getTime() - from.getTime()) / 1000;
}
