import type { CommandBus } from '@nestjs/cqrs';
import { ApplyTaskResultsCommand, FireTimersCommand } from '../../application/commands/apply-task-results.js';
import { isResultMessage } from '../../application/engine/task-dispatch.js';
import type { ResultMessage } from '../../application/ports/messages.js';
import { consumeBatch, type Delivery, type QueueConsumer } from '../../infrastructure/messaging/consumer.js';
import { traceparentHeader } from '../../infrastructure/messaging/message-headers.js';
import { resultQueueName } from '../../infrastructure/messaging/topology.js';
import type { SagaflowRuntime } from '../../infrastructure/runtime/sagaflow-runtime.js';
import { GroupCommit } from '../../application/engine/group-commit.js';
import { ShardLeaseManager } from '../../infrastructure/sharding/shard-lease-manager.js';
import { localAdmin } from '../../application/actor.js';

const SWEEP_INTERVAL_MS = 500;
const TIMER_BATCH = 200;

/**
 * The orchestrator role: consumes the result shards this instance holds a lease on, applying
 * each batch through the command bus, and sweeps due durable timers.
 */
export class OrchestratorRole {
  private readonly consumers = new Map<number, QueueConsumer<ResultMessage>>();
  private readonly leases: ShardLeaseManager;
  /**
   * The batches of every shard this process owns go into as few writes as possible. A shard
   * hands over its next batch only after its previous one committed, so per-run order holds.
   */
  private readonly applier = new GroupCommit<readonly Delivery<ResultMessage>[], void>(async (batches) => {
    const deliveries = batches.flat();
    // Each result is applied in the trace of the worker attempt that sent it (docs/tracing.md).
    const traceparents = this.runtime.tracing.enabled
      ? deliveries.map((d) => traceparentHeader(d.headers))
      : undefined;
    await this.commands.execute(
      new ApplyTaskResultsCommand(
        localAdmin(),
        deliveries.map((d) => d.body),
        traceparents,
      ),
    );
    return batches.map(() => undefined);
  });
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private readonly log = this.runtime.logger.child({ component: 'orchestrator' });

  constructor(
    private readonly runtime: SagaflowRuntime,
    private readonly commands: CommandBus,
  ) {
    const { config } = runtime;
    this.leases = new ShardLeaseManager(
      () => runtime.db(),
      { instanceId: config.instanceId, shardCount: config.shardCount, ttlMs: 10_000, renewIntervalMs: 2_000 },
      { acquired: (shard) => this.consumeShard(shard), released: (shard) => this.stopShard(shard) },
      (error) => this.log.error('shard leases failed', { error: String(error) }),
    );
  }

  async start(): Promise<void> {
    await this.leases.start();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private sweep(): void {
    if (this.sweeping) return;
    this.sweeping = (async () => {
      while ((await this.commands.execute(new FireTimersCommand(localAdmin(), TIMER_BATCH))) === TIMER_BATCH);
    })()
      .catch((error: unknown) => this.log.error('timer sweep failed', { error: String(error) }))
      .finally(() => (this.sweeping = null));
  }

  private async consumeShard(shard: number): Promise<void> {
    // Another instance may have applied this shard's results while we did not own it.
    this.runtime.orchestrator.forgetCachedRuns();
    const consumer = consumeBatch<ResultMessage>(
      this.runtime.amqp,
      {
        queue: resultQueueName(this.runtime.config.amqpPrefix, shard),
        prefetch: 512,
        maxBatch: 256,
        redelivery: 'broker',
        // A failing batch is almost always the database being away: keep retrying (≈ 5 s apart)
        // for minutes rather than dead-lettering good results; poison is isolated per message.
        maxAttempts: 60,
        decode: (value) => {
          if (!isResultMessage(value)) throw new Error('not a task result message');
          return value;
        },
        logger: this.log,
      },
      (deliveries) => this.applier.submit(deliveries),
    );
    this.consumers.set(shard, consumer);
    await consumer.ready;
  }

  private async stopShard(shard: number): Promise<void> {
    const consumer = this.consumers.get(shard);
    this.consumers.delete(shard);
    await consumer?.cancel();
  }

  get ownedShards(): number[] {
    return this.leases.shards;
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.leases.stop();
    await this.sweeping;
  }
}
