import type { Faults } from '../../application/ports/faults.js';
import Compile from 'typebox/compile';
import { TaskMessageSchema } from '../../application/contracts/messages/task-message.js';
import type { TaskMessage, ResultMessage } from '../../application/ports/messages.js';
import { attemptAttributes, traceAttributes as attr } from '../../application/ports/run-tracing.js';
import type {
  ConfirmedPublisher,
  InboundMessage,
  InboundSubscription,
  TaskInbox,
} from '../../application/ports/inbound-messages.js';
import type { AppLogger } from '../../application/ports/logger.js';
import type { MessageRouting } from '../../application/ports/message-routing.js';
import type { RunTracing } from '../../application/ports/run-tracing.js';
import type { WorkerDirectory } from '../../application/ports/worker-directory.js';
import {
  createDefaultRegistry,
  type HandlerRegistry,
  type HttpBreakersView,
} from '../worker/handler-registry.js';
import { loadHandlerModules, parseHandlerSpecifiers } from '../worker/handlers/handler-modules.js';
import { logAttempt } from '../worker/attempt-log.js';
import { TaskExecutor, type AbandonedAttempt } from '../worker/task-executor.js';
import { WorkerHeartbeat, type WorkerHeartbeatOptions } from '../worker/worker-heartbeat.js';

/** What the worker role uses, bound by the composition root (src/app/composition). */
export interface WorkerRolePorts {
  tasks: TaskInbox;
  /** Publishes results (confirmed) to their run's shard. */
  publisher: ConfirmedPublisher;
  routing: MessageRouting;
  tracing: RunTracing;
  logger: AppLogger;
  /** The built-in `http` handler's allow-list (SAGAFLOW_HTTP_ALLOW). */
  httpAllow: readonly string[];
  /** Hands the `http` handler's breakers to the metrics. */
  observeHttpBreakers: (breakers: HttpBreakersView) => void;
  /** Counts one finished handler execution in this process's metrics. */
  observeExecution: (message: TaskMessage, result: ResultMessage) => void;
  /** Where this worker announces the task types it serves. */
  workers: WorkerDirectory;
  heartbeat: WorkerHeartbeatOptions;
  /** Attempts of one task type run at once (the queue's prefetch); default {@link DEFAULT_CONCURRENCY}. */
  concurrency?: number;
  /** How long `stop` lets running attempts finish before it returns them to their queues. */
  stopGraceMs?: number;
  /** Fault points (docs/failure-modes.md#fault-hooks); inert unless SAGAFLOW_FAULTS arms them. */
  faults: Faults;
}

export const DEFAULT_CONCURRENCY = 64;
/** Below the 30 s a supervisor (Kubernetes, systemd) commonly waits after SIGTERM. */
export const DEFAULT_STOP_GRACE_MS = 25_000;

/**
 * The worker role: consumes the queue of every task type it has a handler for, runs the
 * handler, publishes the result (confirmed) to the run's shard and only then acks the task.
 * A worker that dies mid-task leaves it unacked, so the broker hands it to another worker.
 */
export class WorkerRole {
  private readonly consumers: InboundSubscription[] = [];
  private readonly log = this.ports.logger.child({ component: 'worker' });
  private readonly heartbeat = new WorkerHeartbeat(this.ports.workers, this.ports.heartbeat, this.log);
  /** Aborted when the stop grace runs out: what still runs is abandoned (docs/worker-sdk.md#stopping). */
  private readonly shutdown = new AbortController();
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly ports: WorkerRolePorts,
    readonly registry: HandlerRegistry = createDefaultRegistry({
      http: { allow: ports.httpAllow.join(',') },
      observeHttpBreakers: ports.observeHttpBreakers,
    }),
  ) {}

  async start(): Promise<void> {
    await loadHandlerModules(this.registry, parseHandlerSpecifiers(process.env.SAGAFLOW_HANDLERS));
    const executor = new TaskExecutor({
      registry: this.registry,
      shutdown: this.shutdown.signal,
      logger: this.log,
    });
    const { tasks } = this.ports;
    await tasks.whenReady();
    for (const type of this.registry.types()) {
      const queue = tasks.queueName(type);
      const consumer = await tasks.consumeType(
        type,
        {
          prefetch: this.ports.concurrency ?? DEFAULT_CONCURRENCY,
          decode: decodeTaskMessage,
          logger: this.log,
        },
        async (delivery) => {
          if (this.ports.tracing.enabled) return this.executeTraced(executor, delivery, queue);
          await this.attempt(executor, delivery.body);
        },
      );
      this.consumers.push(consumer);
      await consumer.ready;
    }
    // Announced once every queue is consumed, so "served" means a consumer is there.
    await this.heartbeat.start(this.registry.types());
  }

  /**
   * The attempt as a `task.execute` / `compensation.execute` span, continuing the dispatch's
   * trace from the message's `traceparent`; it lasts until the result is confirmed, and the
   * result carries it back to the orchestrator.
   */
  private async executeTraced(
    executor: TaskExecutor,
    delivery: InboundMessage<TaskMessage>,
    queue: string,
  ): Promise<void> {
    const message = delivery.body;
    const span = this.ports.tracing.startSpan(`${message.kind}.execute`, {
      parent: { traceparent: this.ports.tasks.traceparentOf(delivery) ?? null },
      kind: 'consumer',
      attributes: {
        ...attemptAttributes(message),
        [attr.taskType]: message.type,
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queue,
      },
    });
    try {
      // Inside the span, so the attempt's log line carries its trace_id and span_id.
      const result = await span.run(() => this.attempt(executor, message, span.traceparent));
      span.setAttributes({ [attr.outcome]: result.outcome });
      span.end(result.outcome === 'failed' ? result.error : undefined);
    } catch (error) {
      span.end(error);
      throw error;
    }
  }

  /**
   * Runs one attempt, logs it and publishes its result (and its start report, if it is slow).
   * An attempt abandoned at stop publishes nothing: its channel is closed by then, so the
   * message, never acknowledged, is back in its queue.
   */
  private async attempt(
    executor: TaskExecutor,
    message: TaskMessage,
    traceparent?: string,
  ): Promise<ResultMessage | AbandonedAttempt> {
    const result = await executor.execute(message, {
      onStarted: (report) => this.publish(report, traceparent),
    });
    if (result.outcome === 'abandoned') {
      this.log.warn('attempt abandoned at stop: the task goes back to its queue', {
        run_id: message.runId,
        task_key: message.taskKey,
        attempt: message.attempt,
      });
      return result;
    }
    logAttempt(this.log, message, result);
    this.ports.observeExecution(message, result);
    // The side effect happened, its result is not reported: a throw redelivers the task.
    if (this.ports.faults.armed) await this.ports.faults.at('worker.after-side-effect-before-report');
    await this.publish(result, traceparent);
    return result;
  }

  private publish(result: ResultMessage, traceparent?: string): Promise<void> {
    const { routing } = this.ports;
    return this.ports.publisher.publish(
      routing.resultExchange,
      routing.resultRoutingKey(result.runId),
      result,
      {
        messageId: `${result.runId}:${result.taskKey}:${result.kind}:${result.attempt}:${result.outcome}`,
        runId: result.runId,
        taskKey: result.taskKey,
        attempt: result.attempt,
        kind: result.kind,
        ...(traceparent !== undefined ? { traceparent } : {}),
      },
    );
  }

  /**
   * Stops consuming; attempts already running get `stopGraceMs` to finish and report. Those
   * still running then go back to their queues (their channels close unacknowledged) and their
   * `ctx.signal` aborts; their results, if any come, are not published. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.heartbeat.stop();
      const graceMs = this.ports.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
      await Promise.all(this.consumers.map((c) => c.cancel({ graceMs })));
      this.shutdown.abort();
      await this.registry.close();
    })();
    return this.stopping;
  }
}

const taskMessage = Compile(TaskMessageSchema);

/** A task message of docs/contract.md#task-message, checked against its schema. */
function decodeTaskMessage(value: unknown): TaskMessage {
  if (!taskMessage.Check(value)) throw new Error('not a task message');
  return value;
}
