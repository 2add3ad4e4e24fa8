import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Kysely } from 'kysely';
import { DefinitionCatalog } from '../../application/engine/definition-catalog.js';
import { RunOrchestrator } from '../../application/engine/run-orchestrator.js';
import type { MessageRouting } from '../../application/ports/message-routing.js';
import type { StoredOutgoingMessage } from '../../application/ports/run-store.js';
import type { AppConfig } from '../../infrastructure/config/app-config.js';
import { AmqpConnection } from '../../infrastructure/messaging/amqp-connection.js';
import { ConfirmPublisher } from '../../infrastructure/messaging/confirm-publisher.js';
import type { MessagingLogger } from '../../infrastructure/messaging/logger.js';
import {
  declareDeadLetter,
  declareResultShards,
  tasksExchangeName,
} from '../../infrastructure/messaging/topology.js';
import { withChannel } from '../../infrastructure/messaging/channels.js';
import { createMessageRouting } from '../../infrastructure/messaging/message-routing.js';
import { SagaflowMetrics } from '../../infrastructure/metrics/sagaflow-metrics.js';
import { AmqpOutboxPublisher } from '../../infrastructure/outbox/amqp-outbox-publisher.js';
import { TaskQueueDeclarer } from '../../infrastructure/outbox/task-queues.js';
import { ensureDatabase, migrate, waitForSchema } from '../../infrastructure/persistence/bootstrap.js';
import { MikroOrmDefinitionRepository } from '../../infrastructure/persistence/mikro-orm-definition-repository.js';
import { MikroOrmRunStore } from '../../infrastructure/persistence/mikro-orm-run-store.js';
import { PostgresWorkerDirectory } from '../../infrastructure/persistence/postgres-worker-directory.js';
import { createOrm } from '../../infrastructure/persistence/orm.js';
import { ReadSide } from './read-side.js';
import { runTracing } from '../../infrastructure/telemetry/start-tracing.js';

/** A worker's types count as served while one of its last this-many heartbeats is recent. */
const LIVE_HEARTBEATS = 3;

/**
 * The process's shared infrastructure, built once in dependency order: database (created and
 * migrated under an advisory lock), AMQP connection with the shared topology, stores and the
 * orchestrator. It lives in the composition root because it also builds the application services
 * (orchestrator, catalog, live feed) over those adapters. Nest providers hand out its parts; each
 * role gets only the ports it uses (role-ports.ts), never the runtime.
 */
export class SagaflowRuntime {
  readonly em: EntityManager;
  readonly definitions: MikroOrmDefinitionRepository;
  readonly runStore: MikroOrmRunStore;
  readonly readSide: ReadSide;
  readonly amqp: AmqpConnection;
  readonly publisher: ConfirmPublisher;
  readonly routing: MessageRouting;
  readonly taskQueues: TaskQueueDeclarer;
  readonly outboxPublisher: AmqpOutboxPublisher;
  /** This process's Prometheus registry and counters (served on `/metrics` by the api role). */
  readonly metrics: SagaflowMetrics;
  readonly orchestrator: RunOrchestrator;
  readonly catalog: DefinitionCatalog;
  /** Which task types live workers serve (docs/architecture.md, "Unserved task types"). */
  readonly workers: PostgresWorkerDirectory;
  /** Sagaflow's spans (docs/tracing.md); a no-op unless main.ts started tracing. */
  readonly tracing = runTracing();

  private constructor(
    readonly config: AppConfig,
    readonly orm: MikroORM,
    readonly logger: MessagingLogger,
  ) {
    this.em = orm.em;
    this.definitions = new MikroOrmDefinitionRepository(this.em);
    this.runStore = new MikroOrmRunStore(() => this.db());
    this.workers = new PostgresWorkerDirectory(() => this.db(), LIVE_HEARTBEATS * config.workerHeartbeatMs);
    this.amqp = new AmqpConnection({
      url: config.amqpUrl,
      logger: logger.child({ component: 'amqp' }),
      connectionName: `sagaflow ${config.instanceId}`,
    });
    this.publisher = new ConfirmPublisher(this.amqp, { logger: logger.child({ component: 'publisher' }) });
    const prefix = config.amqpPrefix;
    this.routing = createMessageRouting(prefix, config.shardCount);
    this.taskQueues = new TaskQueueDeclarer(this.amqp, prefix);
    const onError = (error: unknown) => logger.error(describe(error));
    this.outboxPublisher = new AmqpOutboxPublisher(
      this.publisher,
      () => this.db(),
      config.inlinePublish,
      (rows) => this.prepareOutbox(rows),
      onError,
      this.tracing,
    );
    this.catalog = new DefinitionCatalog(this.definitions);
    this.orchestrator = new RunOrchestrator(
      this.runStore,
      this.catalog,
      this.routing,
      this.outboxPublisher,
      onError,
      this.tracing,
    );
    this.readSide = new ReadSide(
      config,
      this.em,
      this.orchestrator,
      logger.child({ component: 'read-side' }),
      onError,
    );
    this.metrics = new SagaflowMetrics(this);
  }

  static async create(config: AppConfig, logger: MessagingLogger): Promise<SagaflowRuntime> {
    if (config.migrate) await ensureDatabase(config.databaseUrl);
    const orm = createOrm({ databaseUrl: config.databaseUrl, replicaUrls: config.replicaUrls });
    if (config.migrate) await migrate(orm, config.databaseUrl);
    else await waitForSchema(orm);
    const runtime = new SagaflowRuntime(config, orm, logger);
    runtime.amqp.addSetup((model) =>
      withChannel(model, async (channel) => {
        await declareDeadLetter(channel, config.amqpPrefix);
        await declareResultShards(channel, config.amqpPrefix, config.shardCount);
        await channel.assertExchange(tasksExchangeName(config.amqpPrefix), 'direct', { durable: true });
      }),
    );
    runtime.amqp.start();
    await runtime.publisher.start();
    return runtime;
  }

  private primary: Kysely<unknown> | null = null;

  /** A Kysely handle on the primary's pool, outside any transaction (each statement commits). */
  db(): Kysely<unknown> {
    this.primary ??= this.em.fork().getKysely({ type: 'write' }) as unknown as Kysely<unknown>;
    return this.primary;
  }

  async pingDatabase(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db());
      return true;
    } catch {
      return false;
    }
  }

  /** Runs `work` in one transaction on the primary. */
  async transaction<T>(work: (db: Kysely<unknown>) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(async (em) => work(em.getKysely() as unknown as Kysely<unknown>));
  }

  async prepareOutbox(rows: readonly StoredOutgoingMessage[]): Promise<void> {
    const exchange = this.routing.taskExchange;
    await this.taskQueues.ensure(
      new Set(rows.filter((r) => r.exchange === exchange).map((r) => r.routingKey)),
    );
  }

  async close(): Promise<void> {
    this.orchestrator.timers.close();
    await this.outboxPublisher.drain();
    await this.readSide.close();
    await this.publisher.close();
    await this.amqp.close();
    await this.orm.close();
    await this.tracing.flush();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
