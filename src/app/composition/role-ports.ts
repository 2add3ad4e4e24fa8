import type { CommandBus } from '@nestjs/cqrs';
import { AmqpResultInbox, AmqpTaskInbox } from '../../infrastructure/messaging/amqp-inboxes.js';
import { OutboxRelay } from '../../infrastructure/outbox/outbox-relay.js';
import { DeadLetterKeeper } from '../../infrastructure/messaging/dead-letter-keeper.js';
import { deadQueueName } from '../../infrastructure/messaging/names.js';
import { ShardLeaseManager } from '../../infrastructure/sharding/shard-lease-manager.js';
import type { OrchestratorRolePorts } from '../../interfaces/roles/orchestrator-role.js';
import type { WorkerRolePorts } from '../../interfaces/roles/worker-role.js';
import type { SagaflowRuntime } from './sagaflow-runtime.js';

/**
 * Each role gets only the ports it uses, bound here to the runtime's adapters; no role sees the
 * runtime itself (docs/architecture.md, "Composition root and floors").
 */
export function orchestratorRolePorts(runtime: SagaflowRuntime, commands: CommandBus): OrchestratorRolePorts {
  const { config } = runtime;
  return {
    commands,
    results: new AmqpResultInbox(runtime.amqp, config.amqpPrefix),
    shardLeases: (listener, onError) =>
      new ShardLeaseManager(
        () => runtime.db(),
        {
          instanceId: config.instanceId,
          shardCount: config.shardCount,
          ttlMs: 10_000,
          renewIntervalMs: 2_000,
        },
        listener,
        onError,
      ),
    runCache: runtime.orchestrator,
    tracing: runtime.tracing,
    databaseAnswers: () => runtime.checkDatabase().catch(() => false),
    logger: runtime.logger,
    limits: config.limits,
    faults: runtime.faults,
  };
}

export function workerRolePorts(runtime: SagaflowRuntime): WorkerRolePorts {
  return {
    tasks: new AmqpTaskInbox(runtime.amqp, runtime.config.amqpPrefix, runtime.config.queueType),
    publisher: runtime.publisher,
    routing: runtime.routing,
    tracing: runtime.tracing,
    logger: runtime.logger,
    httpAllow: runtime.config.httpAllow,
    observeHttpBreakers: (breakers) => runtime.metrics.breakers.track('http', breakers),
    observeExecution: (message, result) => runtime.metrics.worker.executed(message, result),
    workers: runtime.workers,
    heartbeat: { workerId: runtime.config.instanceId, intervalMs: runtime.config.workerHeartbeatMs },
    concurrency: runtime.config.workerConcurrency,
    stopGraceMs: runtime.config.workerStopGraceMs,
    faults: runtime.faults,
  };
}

/** The relay role: publishes outbox rows their committing process left behind. */
export function createRelay(runtime: SagaflowRuntime): OutboxRelay {
  const relayLog = runtime.logger.child({ component: 'relay' });
  return new OutboxRelay(
    {
      databaseUrl: runtime.config.databaseUrl,
      // With inline publishing the committer normally sends its rows within milliseconds.
      minAgeMs: runtime.config.inlinePublish ? 5_000 : 0,
      sweepIntervalMs: runtime.config.inlinePublish ? 2_000 : 1_000,
      batchSize: 500,
      onPublished: (count) => runtime.metrics.outbox.relayPublished(count),
    },
    (work) => runtime.transaction(work),
    runtime.publisher,
    (rows) => runtime.prepareOutbox(rows),
    (error) => relayLog.error('outbox relay failed', { error: String(error) }),
    runtime.tracing,
    runtime.faults,
  );
}

/** Beside the relay: keeps what reaches `<prefix>.dead` in PostgreSQL (docs/operations.md#dead-letters). */
export function createDeadLetterKeeper(runtime: SagaflowRuntime): DeadLetterKeeper {
  return new DeadLetterKeeper(
    runtime.amqp,
    deadQueueName(runtime.config.amqpPrefix),
    (letter) => runtime.deadLetters.keep(letter),
    runtime.logger.child({ component: 'dead-letters' }),
  );
}
