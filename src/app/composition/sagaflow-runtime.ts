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
import { sharedTopology } from './shared-topology.js';
import { createMessageRouting } from '../../infrastructure/messaging/message-routing.js';
import { SagaflowMetrics } from '../../infrastructure/metrics/sagaflow-metrics.js';
import { AmqpOutboxPublisher } from '../../infrastructure/outbox/amqp-outbox-publisher.js';
import { BrokerBacklog } from '../../infrastructure/messaging/broker-backlog.js';
import { TaskQueueDeclarer } from '../../infrastructure/outbox/task-queues.js';
import { describeDatabaseError, prepareDatabase } from '../../infrastructure/persistence/bootstrap.js';
import { backoffDelay, type BackoffOptions } from '../../infrastructure/messaging/backoff.js';
import { connectionError } from '../../infrastructure/config/connection-errors.js';
import { MikroOrmDefinitionRepository } from '../../infrastructure/persistence/mikro-orm-definition-repository.js';
import { MikroOrmRunStore } from '../../infrastructure/persistence/mikro-orm-run-store.js';
import { PostgresWorkerDirectory } from '../../infrastructure/persistence/postgres-worker-directory.js';
import { PostgresApiKeyStore } from '../../infrastructure/persistence/postgres-api-key-store.js';
import { FaultyRunStore } from '../../infrastructure/faults/faulty-run-store.js';
import { PlannedFaults } from '../../infrastructure/faults/fault-plan.js';
import { NO_FAULTS, type Faults } from '../../application/ports/faults.js';
import { PostgresDeadLetterStore } from '../../infrastructure/persistence/postgres-dead-letter-store.js';
import { AmqpDeadLetterRepublisher } from '../../infrastructure/messaging/amqp-dead-letter-republisher.js';
import { createOrm } from '../../infrastructure/persistence/orm.js';
import { ReadSide } from './read-side.js';
import { runTracing } from '../../infrastructure/telemetry/start-tracing.js';

/** A worker's types count as served while one of its last this-many heartbeats is recent. */
const LIVE_HEARTBEATS = 3;

/** The runtime was closed (a shutdown signal) before it had connected. */
export class StartupAborted extends Error {
  constructor() {
    super('stopped before the dependencies were connected');
    this.name = 'StartupAborted';
  }
}

/** Retries of the database at start: soon at first, then every 10 s at most. */
const DATABASE_RETRY: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 2, jitter: 0.2 };

/**
 * The process's shared infrastructure, built once in dependency order: database pool, AMQP
 * connection with the shared topology, stores and the orchestrator. Building connects nothing;
 * `connect()` then creates and migrates the database (under an advisory lock) and waits for the
 * broker, retrying both with backoff, so the api can answer `/health/*` meanwhile
 * (docs/architecture.md, "Startup order"). It lives in the composition root because it also builds the application services
 * (orchestrator, catalog, live feed) over those adapters. Nest providers hand out its parts; each
 * role gets only the ports it uses (role-ports.ts), never the runtime.
 */
export class SagaflowRuntime {
  readonly em: EntityManager;
  readonly definitions: MikroOrmDefinitionRepository;
  readonly runStore: MikroOrmRunStore;
  /** Armed fault points (SAGAFLOW_FAULTS, docs/failure-modes.md#fault-hooks); inert by default. */
  readonly faults: Faults;
  readonly readSide: ReadSide;
  readonly amqp: AmqpConnection;
  readonly publisher: ConfirmPublisher;
  readonly routing: MessageRouting;
  readonly taskQueues: TaskQueueDeclarer;
  /** Refuses run starts while the broker's backlog is over SAGAFLOW_MAX_BACKLOG (docs/operations.md#overload). */
  readonly admission: BrokerBacklog;
  readonly outboxPublisher: AmqpOutboxPublisher;
  /** This process's Prometheus registry and counters (served on `/metrics` by the api role). */
  readonly metrics: SagaflowMetrics;
  readonly orchestrator: RunOrchestrator;
  readonly catalog: DefinitionCatalog;
  /** Which task types live workers serve (docs/architecture.md, "Unserved task types"). */
  readonly workers: PostgresWorkerDirectory;
  /** API keys created through `POST /v1/api-keys` (docs/security.md#api-keys). */
  readonly apiKeys: PostgresApiKeyStore;
  /** Dead letters kept by the relays' keepers (docs/operations.md#dead-letters). */
  readonly deadLetters: PostgresDeadLetterStore;
  readonly deadLetterRepublisher: AmqpDeadLetterRepublisher;
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
    this.faults = config.faults.length > 0 ? new PlannedFaults(config.faults) : NO_FAULTS;
    if (this.faults.armed) {
      logger.warn('fault injection armed (SAGAFLOW_FAULTS): for tests only', {
        points: config.faults.map((rule) => rule.point),
      });
    }
    this.apiKeys = new PostgresApiKeyStore(() => this.db());
    this.workers = new PostgresWorkerDirectory(() => this.db(), LIVE_HEARTBEATS * config.workerHeartbeatMs);
    this.amqp = new AmqpConnection({
      url: config.amqpUrl,
      logger: logger.child({ component: 'amqp' }),
      connectionName: `sagaflow ${config.instanceId}`,
      configVariable: 'AMQP_URL',
    });
    this.publisher = new ConfirmPublisher(this.amqp, { logger: logger.child({ component: 'publisher' }) });
    const prefix = config.amqpPrefix;
    this.deadLetters = new PostgresDeadLetterStore(
      () => this.db(),
      (work) => this.transaction(work),
    );
    this.deadLetterRepublisher = new AmqpDeadLetterRepublisher(this.publisher, prefix);
    this.routing = createMessageRouting(prefix, config.shardCount);
    this.taskQueues = new TaskQueueDeclarer(this.amqp, prefix, config.queueType);
    this.admission = new BrokerBacklog(this.amqp, {
      prefix,
      shardCount: config.shardCount,
      maxBacklog: config.maxBacklog,
      logger: logger.child({ component: 'admission' }),
    });
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
      this.faults.armed ? new FaultyRunStore(this.runStore, this.faults) : this.runStore,
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

  /** Builds the runtime without connecting; the AMQP connection starts trying in the background. */
  static build(config: AppConfig, logger: MessagingLogger): SagaflowRuntime {
    const orm = createOrm({ databaseUrl: config.databaseUrl, replicaUrls: config.replicaUrls });
    const runtime = new SagaflowRuntime(config, orm, logger);
    runtime.amqp.addSetup(sharedTopology(config.amqpPrefix, config.shardCount, config.queueType));
    return runtime;
  }

  private databaseFailure: string | null = 'PostgreSQL (DATABASE_URL): not connected yet';

  /** Why the database is not usable yet (naming DATABASE_URL), or null once it is migrated. */
  get databaseError(): string | null {
    return this.databaseFailure;
  }

  private connecting: Promise<void> | null = null;
  private readonly closing = new AbortController();

  /**
   * Resolves once the database is created and migrated (or, with SAGAFLOW_MIGRATE=false, found
   * migrated) and the broker's topology and the publisher's channel exist. Both are retried with
   * backoff until then, every failure logged naming the variable to fix; rejects only if the
   * runtime is closed first.
   */
  connect(): Promise<void> {
    this.connecting ??= Promise.all([this.connectDatabase(), this.publisher.start()]).then(
      () => undefined,
      (error: unknown) => {
        throw this.closing.signal.aborted ? new StartupAborted() : error;
      },
    );
    return this.connecting;
  }

  private async connectDatabase(): Promise<void> {
    const { databaseUrl, migrate } = this.config;
    for (let attempt = 1; ; attempt += 1) {
      if (this.closing.signal.aborted) throw new StartupAborted();
      try {
        await prepareDatabase(this.orm, databaseUrl, { migrate });
        this.databaseFailure = null;
        if (attempt > 1) this.logger.log('PostgreSQL ready', { attempt });
        return;
      } catch (error) {
        if (this.closing.signal.aborted) throw new StartupAborted();
        this.databaseFailure = describeDatabaseError(error, databaseUrl, 'DATABASE_URL');
        const delay = backoffDelay(attempt, DATABASE_RETRY);
        this.logger.warn(`${this.databaseFailure}; retrying`, { attempt, delay_ms: delay });
        await abortableSleep(delay, this.closing.signal);
      }
    }
  }

  private primary: Kysely<unknown> | null = null;

  /** A Kysely handle on the primary's pool, outside any transaction (each statement commits). */
  db(): Kysely<unknown> {
    this.primary ??= this.em.fork().getKysely({ type: 'write' }) as unknown as Kysely<unknown>;
    return this.primary;
  }

  /** For readiness: resolves true when migrated and answering; rejects naming DATABASE_URL otherwise. */
  async checkDatabase(): Promise<boolean> {
    if (this.databaseError !== null) throw new Error(this.databaseError);
    try {
      await sql`select 1`.execute(this.db());
      return true;
    } catch (error) {
      throw new Error(connectionError('PostgreSQL', this.config.databaseUrl, 'DATABASE_URL', error), {
        cause: error,
      });
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

  private closed: Promise<void> | null = null;

  /** Stops everything, also while `connect()` is still retrying. Idempotent. */
  close(): Promise<void> {
    this.closed ??= this.doClose();
    return this.closed;
  }

  private async doClose(): Promise<void> {
    this.closing.abort();
    this.orchestrator.timers.close();
    await this.outboxPublisher.drain();
    await this.readSide.close();
    this.admission.stop();
    await this.publisher.close();
    await this.amqp.close();
    await this.orm.close();
    await this.tracing.flush();
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
