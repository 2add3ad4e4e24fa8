import type { ResourceLimits } from '../../application/resource-limits.js';
import { authConfig, type AuthConfig } from './auth-config.js';
import { ConfigError, type ConfigEnv, type ConfigVariable } from './config-variables.js';
import { limitsConfig, maxBacklogConfig } from './limits-config.js';
import { parseFaultPlan, type FaultRule } from '../faults/fault-plan.js';
import { transportConfig, type TransportConfig } from './transport-config.js';
import { QUEUE_TYPES, type QueueType } from '../messaging/topology.js';

/** Process configuration from the environment (docs/contract.md#processes-and-roles table); defaults point at local services. */
export interface AppConfig extends AuthConfig, TransportConfig {
  port: number;
  roles: Set<Role>;
  databaseUrl: string;
  replicaUrls: string[];
  amqpUrl: string;
  amqpPrefix: string;
  /** Task and dead-letter queues: classic (priorities) or quorum (survive a cluster node). */
  queueType: QueueType;
  redisUrl: string;
  redisPrefix: string;
  migrate: boolean;
  httpAllow: string[];
  inlinePublish: boolean;
  logLevel: string;
  /** Number of result shard queues; all processes of an installation must agree. */
  shardCount: number;
  /** Identity of this process in shard leases. */
  instanceId: string;
  /** A watched run quiet for this long is checked against history (repairs lost live batches). */
  livePollMs: number;
  /** A worker announces its task types this often; three missed beats and they count as unserved. */
  workerHeartbeatMs: number;
  /** Attempts of one task type a worker runs at once (the queue's prefetch). */
  workerConcurrency: number;
  /** How long a stopping worker lets running attempts finish before returning them to their queues. */
  workerStopGraceMs: number;
  /** Tasks per definition and payload bytes (docs/security.md#limits-and-hostile-input). */
  limits: ResourceLimits;
  /** Ready messages in the task and result queues above which starts get 503 (0: never). */
  maxBacklog: number;
  /** Armed fault points (SAGAFLOW_FAULTS, docs/failure-modes.md#fault-hooks); empty: none. */
  faults: FaultRule[];
}

export const ROLES = ['api', 'relay', 'orchestrator', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** Database names Sagaflow creates on start (quoted into `create database`, so kept plain). */
const DATABASE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Checks a connection URL before anything connects with it, so a typo stops the process at once,
 * naming the variable, instead of surfacing later as a driver error far from the cause.
 */
function connectionUrl(variable: ConfigVariable, value: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, `not a valid URL: "${redact(value)}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      variable,
      `expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL, got "${redact(value)}"`,
    );
  }
  if (url.hostname === '') throw new ConfigError(variable, `no host in "${redact(value)}"`);
  return value;
}

function queueType(value: string | undefined): QueueType {
  if (value === undefined || value === '') return 'classic';
  if ((QUEUE_TYPES as readonly string[]).includes(value)) return value as QueueType;
  throw new ConfigError('SAGAFLOW_QUEUE_TYPE', `expected classic or quorum, got "${value}"`);
}

function databaseUrl(variable: ConfigVariable, value: string): string {
  connectionUrl(variable, value, ['postgres:', 'postgresql:']);
  const name = decodeURIComponent(new URL(value).pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(name)) {
    throw new ConfigError(
      variable,
      `expected a database name of [A-Za-z0-9_-] after the host, got "${name}" in "${redact(value)}"`,
    );
  }
  return value;
}

/** The value as an error may show it: a password never appears. */
function redact(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/@]*@/i, '$1:***@');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** pino's levels; an unknown one would make pino throw at the first logger, far from the cause. */
function logLevel(value: string | undefined): string {
  const level = (value ?? '').trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return level;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const env: ConfigEnv = source;
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const roles = list(env.SAGAFLOW_ROLES ?? ROLES.join(','));
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ConfigError('SAGAFLOW_ROLES', `unknown role "${role}" (expected ${ROLES.join(', ')})`);
    }
  }
  const bool = (name: ConfigVariable, fallback: boolean) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
    throw new ConfigError(name, `expected true or false, got "${value}"`);
  };
  const int = (name: ConfigVariable, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new ConfigError(name, `expected a non-negative integer, got "${value}"`);
    return n;
  };
  return {
    port: int('PORT', 3000),
    roles: new Set(roles as Role[]),
    databaseUrl: databaseUrl(
      'DATABASE_URL',
      env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sagaflow',
    ),
    replicaUrls: list(env.DATABASE_REPLICA_URLS).map((url) => databaseUrl('DATABASE_REPLICA_URLS', url)),
    // One URL, or a cluster's nodes separated by commas (docs/operations.md#rabbitmq-clusters).
    amqpUrl: (env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672')
      .split(',')
      .map((url) => connectionUrl('AMQP_URL', url.trim(), ['amqp:', 'amqps:']))
      .join(','),
    amqpPrefix: env.SAGAFLOW_AMQP_PREFIX ?? 'sagaflow',
    queueType: queueType(env.SAGAFLOW_QUEUE_TYPE),
    redisUrl: connectionUrl('REDIS_URL', env.REDIS_URL ?? 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: env.SAGAFLOW_REDIS_PREFIX ?? 'sagaflow:',
    migrate: bool('SAGAFLOW_MIGRATE', true),
    httpAllow: list(env.SAGAFLOW_HTTP_ALLOW),
    inlinePublish: bool('SAGAFLOW_INLINE_PUBLISH', true),
    logLevel: logLevel(env.LOG_LEVEL),
    shardCount: Math.max(1, int('SAGAFLOW_SHARDS', 8)),
    livePollMs: Math.max(10, int('SAGAFLOW_LIVE_POLL_MS', 5000)),
    workerHeartbeatMs: Math.max(100, int('SAGAFLOW_HEARTBEAT_MS', 10_000)),
    workerConcurrency: Math.max(1, int('SAGAFLOW_WORKER_CONCURRENCY', 64)),
    workerStopGraceMs: Math.max(0, int('SAGAFLOW_WORKER_STOP_GRACE_MS', 25_000)),
    instanceId: env.SAGAFLOW_INSTANCE_ID ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    limits: limitsConfig(env),
    maxBacklog: maxBacklogConfig(env),
    faults: faultsConfig(env),
    ...transportConfig(env, roles.includes('api')),
    ...authConfig(env),
  };
}

/** Fault points are for tests: a production process refuses to start with any armed. */
function faultsConfig(env: ConfigEnv): FaultRule[] {
  const spec = env.SAGAFLOW_FAULTS ?? '';
  if (spec.trim() === '') return [];
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      'SAGAFLOW_FAULTS',
      'fault injection is for tests; unset it when NODE_ENV=production',
    );
  }
  try {
    return parseFaultPlan(spec);
  } catch (error) {
    throw new ConfigError('SAGAFLOW_FAULTS', (error as Error).message);
  }
}
