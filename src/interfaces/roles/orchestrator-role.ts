import type { Faults } from '../../application/ports/faults.js';
import type { CommandBus } from '@nestjs/cqrs';
import { ApplyTaskResultsCommand, FireTimersCommand } from '../../application/commands/apply-task-results.js';
import { isResultMessage } from '../../application/engine/task-dispatch.js';
import type { ResultMessage } from '../../application/ports/messages.js';
import type {
  InboundMessage,
  InboundSubscription,
  ResultInbox,
} from '../../application/ports/inbound-messages.js';
import type { AppLogger } from '../../application/ports/logger.js';
import type { RunTracing } from '../../application/ports/run-tracing.js';
import type { ShardLeases, ShardLeasesFactory } from '../../application/ports/shard-leases.js';
import { GroupCommit } from '../../application/engine/group-commit.js';
import type { RunOrchestrator } from '../../application/engine/run-orchestrator.js';
import { localAdmin } from '../../application/actor.js';
import { ResultQuarantine } from './result-quarantine.js';
import { limitResultOutput, type ResourceLimits } from '../../application/resource-limits.js';

/** What the orchestrator role uses, bound by the composition root (src/app/composition). */
export interface OrchestratorRolePorts {
  commands: CommandBus;
  results: ResultInbox;
  shardLeases: ShardLeasesFactory;
  /** Forgets cached runs when a shard is taken over (another instance may have applied it). */
  runCache: Pick<RunOrchestrator, 'forgetCachedRuns'>;
  tracing: Pick<RunTracing, 'enabled'>;
  /** False while PostgreSQL does not answer: tells an outage from a result that cannot be applied. */
  databaseAnswers: () => Promise<boolean>;
  logger: AppLogger;
  /** Outputs over `maxPayloadBytes` fail their task (docs/security.md#limits-and-hostile-input). */
  limits: ResourceLimits;
  /** Fault points (docs/failure-modes.md#fault-hooks); inert unless SAGAFLOW_FAULTS arms them. */
  faults: Faults;
}

const SWEEP_INTERVAL_MS = 500;
const TIMER_BATCH = 200;

/**
 * The orchestrator role: consumes the result shards this instance holds a lease on, applying
 * each batch through the command bus, and sweeps due durable timers.
 */
export class OrchestratorRole {
  private readonly consumers = new Map<number, InboundSubscription>();
  private readonly leases: ShardLeases;
  /**
   * The batches of every shard this process owns go into as few writes as possible. A shard
   * hands over its next batch only after its previous one committed, so per-run order holds.
   */
  private readonly applier = new GroupCommit<readonly InboundMessage<ResultMessage>[], void>(
    async (batches) => {
      const deliveries = batches.flat();
      // Each result is applied in the trace of the worker attempt that sent it (docs/tracing.md).
      const traceparents = this.ports.tracing.enabled
        ? deliveries.map((d) => this.ports.results.traceparentOf(d))
        : undefined;
      await this.ports.commands.execute(
        new ApplyTaskResultsCommand(
          localAdmin(),
          deliveries.map((d) => d.body),
          traceparents,
        ),
      );
      return batches.map(() => undefined);
    },
  );
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private readonly log = this.ports.logger.child({ component: 'orchestrator' });
  private readonly quarantine = new ResultQuarantine(
    (deliveries) => this.applier.submit(deliveries),
    this.ports.databaseAnswers,
    this.log,
  );

  constructor(private readonly ports: OrchestratorRolePorts) {
    this.leases = ports.shardLeases(
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
      while (
        (await this.ports.commands.execute(new FireTimersCommand(localAdmin(), TIMER_BATCH))) === TIMER_BATCH
      );
    })()
      .catch((error: unknown) => this.log.error('timer sweep failed', { error: String(error) }))
      .finally(() => (this.sweeping = null));
  }

  private async consumeShard(shard: number): Promise<void> {
    // Another instance may have applied this shard's results while we did not own it.
    this.ports.runCache.forgetCachedRuns();
    const consumer = this.ports.results.consumeShard(
      shard,
      {
        prefetch: 512,
        maxBatch: 256,
        // While the database is away, keep retrying (≈ 5 s apart) for minutes rather than
        // dead-lettering good results; a result that fails while it answers is poison, isolated
        // and turned into a failure of its task by the quarantine.
        maxAttempts: 60,
        decode: (value) => {
          if (!isResultMessage(value)) throw new Error('not a task result message');
          return limitResultOutput(value, this.ports.limits);
        },
        logger: this.log,
      },
      async (deliveries) => {
        await this.quarantine.submit(deliveries);
        // Applied and committed, not yet acked: a throw hands the batch back to the broker.
        if (this.ports.faults.armed) await this.ports.faults.at('orchestrator.after-apply-before-ack');
      },
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
