import { Counter, Histogram, type Registry } from 'prom-client';
import type { ResultMessage } from '../../application/contracts/messages/result-message.js';
import type { TaskMessage } from '../../application/contracts/messages/task-message.js';
import { BoundedLabel } from './bounded-label.js';

const TYPE_LABEL_LIMIT = 100;
/** Handlers run from well under a millisecond (noop) to minutes (slow HTTP calls). */
const EXECUTION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * What this process's worker ran, as the worker saw it: counted where the handler ran, so a
 * worker-only process shows its own load on its `/metrics` (docs/operations.md, "Metrics from
 * every role"). The run-level series (`sagaflow_task_attempts_total`, …) stay the
 * orchestrator's: only it knows whether a failure is retried, and it counts each attempt once
 * even when a redelivered task runs twice.
 */
export class WorkerMetrics {
  private readonly types = new BoundedLabel(TYPE_LABEL_LIMIT);
  private readonly executions: Counter<'type' | 'kind' | 'outcome'>;
  private readonly seconds: Histogram<'type' | 'kind'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.executions = new Counter({
      name: 'sagaflow_worker_executions_total',
      help: 'Handler executions this process ran, by task type, kind and outcome (completed or failed)',
      labelNames: ['type', 'kind', 'outcome'],
      registers,
    });
    this.seconds = new Histogram({
      name: 'sagaflow_worker_execution_seconds',
      help: 'Handler execution time on this process, from start to result',
      labelNames: ['type', 'kind'],
      buckets: EXECUTION_BUCKETS,
      registers,
    });
  }

  /** One execution ended with `result`; in-memory increments only. */
  executed(message: TaskMessage, result: ResultMessage): void {
    if (result.outcome === 'started') return;
    const labels = { type: this.types.value(message.type), kind: result.kind };
    this.executions.inc({ ...labels, outcome: result.outcome });
    const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) this.seconds.observe(labels, seconds);
  }
}
