import { NO_FAULTS } from '../application/ports/faults.js';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { loadConfig, type AppConfig } from '../infrastructure/config/app-config.js';
import { PostgresWorkerDirectory } from '../infrastructure/persistence/postgres-worker-directory.js';
import { createLogger } from '../infrastructure/logging/create-logger.js';
import { PinoAppLogger } from '../infrastructure/logging/pino-app-logger.js';
import { AmqpConnection } from '../infrastructure/messaging/amqp-connection.js';
import { AmqpTaskInbox } from '../infrastructure/messaging/amqp-inboxes.js';
import { ConfirmPublisher } from '../infrastructure/messaging/confirm-publisher.js';
import { createMessageRouting } from '../infrastructure/messaging/message-routing.js';
import { runTracing } from '../infrastructure/telemetry/start-tracing.js';
import { WorkerRole } from '../interfaces/roles/worker-role.js';
import {
  createDefaultRegistry,
  HandlerRegistry,
  registerAll,
  type Handlers,
} from '../interfaces/worker/index.js';
import { sharedTopology } from './composition/shared-topology.js';

/** The settings a worker uses; each defaults to its environment variable, as for `sagaflow` itself. */
export type WorkerConfig = Pick<
  AppConfig,
  | 'amqpUrl'
  | 'amqpPrefix'
  | 'queueType'
  | 'shardCount'
  | 'httpAllow'
  | 'logLevel'
  | 'instanceId'
  | 'databaseUrl'
  | 'workerHeartbeatMs'
  | 'workerConcurrency'
  | 'workerStopGraceMs'
>;

/** A worker's types count as served while one of its last this-many heartbeats is recent. */
const LIVE_HEARTBEATS = 3;

export interface StartWorkerOptions {
  /**
   * The handlers: `defineHandler` results, or an object of task type → handler function. A
   * handler receives the task's resolved `input` and a `TaskContext` (`runId`, `taskKey`,
   * `kind`, `attempt`, `idempotencyKey`, `signal`, `logger`) and returns the task's output
   * (JSON); what it throws decides the retry (docs/worker-sdk.md#errors-and-retries).
   */
  handlers?: Handlers;
  /** The broker; default `AMQP_URL` (a comma list of a cluster's nodes). */
  amqpUrl?: string;
  /** Attempts of one task type run at once; default `SAGAFLOW_WORKER_CONCURRENCY` (64). */
  concurrency?: number;
  /** Prefix of exchanges and queues, as the orchestrators use it; default `SAGAFLOW_AMQP_PREFIX`. */
  prefix?: string;
  /**
   * How long `stop()` lets running attempts finish; default `SAGAFLOW_WORKER_STOP_GRACE_MS`
   * (25 s). Attempts still running then go back to their queues and their `ctx.signal` aborts.
   */
  stopGraceMs?: number;
  /** Called with the registry before the worker subscribes: register by code, add close hooks. */
  register?: (registry: HandlerRegistry) => void | Promise<void>;
  /**
   * Also run the built-in `noop`, `echo` and `http` handlers. Default false: a worker of your own
   * runs your task types, and the `sagaflow` process's worker role runs the built-ins.
   */
  builtins?: boolean;
  /**
   * Overrides of the environment: `AMQP_URL` (amqpUrl), `SAGAFLOW_AMQP_PREFIX` (amqpPrefix),
   * `SAGAFLOW_SHARDS` (shardCount, which must match the orchestrators'), `SAGAFLOW_HTTP_ALLOW`
   * (httpAllow), `LOG_LEVEL` (logLevel), `SAGAFLOW_INSTANCE_ID` (instanceId), `DATABASE_URL`
   * (databaseUrl: where the heartbeat is written), `SAGAFLOW_HEARTBEAT_MS` (workerHeartbeatMs).
   */
  config?: Partial<WorkerConfig>;
  /** Stop gracefully on SIGTERM and SIGINT, then exit (default true). */
  handleSignals?: boolean;
}

export interface SagaflowWorker {
  /** The task types this worker consumes, in registration order. */
  readonly types: readonly string[];
  /**
   * Stops consuming, lets running attempts finish and publish their results within the stop
   * grace, returns the rest to their queues, closes the connection. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts a worker of your own: it consumes the task queues of its handlers' types on RabbitMQ,
 * runs each attempt and publishes the result to the run's shard, like the `worker` role of the
 * `sagaflow` process (docs/contract.md#processes-and-roles) but without Redis or HTTP, and with
 * PostgreSQL only for its heartbeat (a small pool; a failed beat is logged and only makes
 * registrations warn, docs/architecture.md "Unserved task types"). Resolves once every consumer
 * is attached; until the broker answers it retries, logging each failure naming AMQP_URL.
 * Modules in `SAGAFLOW_HANDLERS` are loaded too.
 */
export async function startWorker(options: StartWorkerOptions = {}): Promise<SagaflowWorker> {
  const config: WorkerConfig = {
    ...loadConfig(),
    ...options.config,
    ...defined({
      amqpUrl: options.amqpUrl,
      amqpPrefix: options.prefix,
      workerConcurrency: options.concurrency,
      workerStopGraceMs: options.stopGraceMs,
    }),
  };
  checkPositiveInteger('concurrency', config.workerConcurrency);
  checkPositiveInteger('stopGraceMs', config.workerStopGraceMs, true);
  const pino = createLogger({ level: config.logLevel, traceCorrelation: false });
  const logger = new PinoAppLogger(pino).child({ instance_id: config.instanceId });
  const amqp = new AmqpConnection({
    url: config.amqpUrl,
    logger: logger.child({ component: 'amqp' }),
    connectionName: `sagaflow worker ${config.instanceId}`,
    configVariable: 'AMQP_URL',
  });
  amqp.addSetup(sharedTopology(config.amqpPrefix, config.shardCount, config.queueType));
  const publisher = new ConfirmPublisher(amqp, { logger: logger.child({ component: 'publisher' }) });
  const heartbeatPool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 1,
    idleTimeoutMillis: 60_000,
  });
  // An idle connection the server drops must not crash the worker: the next beat reconnects.
  heartbeatPool.on('error', (error) => logger.warn('heartbeat connection lost', { error: String(error) }));
  const heartbeatDb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: heartbeatPool }) });
  const ports = {
    workers: new PostgresWorkerDirectory(() => heartbeatDb, LIVE_HEARTBEATS * config.workerHeartbeatMs),
    heartbeat: { workerId: config.instanceId, intervalMs: config.workerHeartbeatMs },
    concurrency: config.workerConcurrency,
    stopGraceMs: config.workerStopGraceMs,
    tasks: new AmqpTaskInbox(amqp, config.amqpPrefix, config.queueType),
    publisher,
    routing: createMessageRouting(config.amqpPrefix, config.shardCount),
    tracing: runTracing(),
    logger,
    httpAllow: config.httpAllow,
    observeHttpBreakers: () => undefined,
    observeExecution: () => undefined,
    // Fault points are armed in Sagaflow's own processes only (docs/failure-modes.md#fault-hooks).
    faults: NO_FAULTS,
  };
  const registry = options.builtins
    ? createDefaultRegistry({ http: { allow: config.httpAllow.join(',') } })
    : new HandlerRegistry();
  const role = new WorkerRole(ports, registry);
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await role.stop();
      await publisher.close();
      await amqp.close();
      await heartbeatDb.destroy();
    })();
    return stopping;
  };
  try {
    if (options.handlers !== undefined) registerAll(registry, options.handlers);
    await options.register?.(registry);
    await publisher.start();
    await role.start();
  } catch (error) {
    await stop();
    throw error;
  }
  const types = registry.types();
  if (types.length === 0) logger.warn('no handlers registered: this worker consumes nothing');
  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => void stop().finally(() => process.exit(0)));
    }
  }
  // Written at any LOG_LEVEL but `silent`: supervisors (and the README's test) wait for it.
  const announce =
    pino.isLevelEnabled('info') || pino.level === 'silent' ? pino : pino.child({}, { level: 'info' });
  announce.info(
    { instance_id: config.instanceId, types },
    `sagaflow worker ${config.instanceId} running task types ${types.join(', ')}`,
  );
  return { types, stop };
}

/** The fields of `values` that are set: an option left out keeps its environment value. */
function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function checkPositiveInteger(name: string, value: number, zeroAllowed = false): void {
  if (!Number.isSafeInteger(value) || value < (zeroAllowed ? 0 : 1)) {
    throw new RangeError(`startWorker: ${name} must be an integer ≥ ${zeroAllowed ? 0 : 1}, got ${value}`);
  }
}
