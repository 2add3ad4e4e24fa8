/** Process configuration from the environment (docs/contract.md#processes-and-roles table); defaults point at local services. */
export interface AppConfig {
  port: number;
  roles: Set<Role>;
  databaseUrl: string;
  replicaUrls: string[];
  amqpUrl: string;
  amqpPrefix: string;
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
}

export const ROLES = ['api', 'relay', 'orchestrator', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Every environment variable Sagaflow reads (docs/contract.md#processes-and-roles, README "Configuration") besides the
 * standard `OTEL_*` ones. `loadConfig` can read only these (its `env` is typed by the list);
 * `SAGAFLOW_HANDLERS` is read by the worker role. docker-compose.yml is checked against it.
 */
export const CONFIG_VARIABLES = [
  'PORT',
  'SAGAFLOW_ROLES',
  'DATABASE_URL',
  'DATABASE_REPLICA_URLS',
  'AMQP_URL',
  'SAGAFLOW_AMQP_PREFIX',
  'REDIS_URL',
  'SAGAFLOW_REDIS_PREFIX',
  'SAGAFLOW_MIGRATE',
  'SAGAFLOW_HTTP_ALLOW',
  'SAGAFLOW_INLINE_PUBLISH',
  'SAGAFLOW_HANDLERS',
  'SAGAFLOW_SHARDS',
  'SAGAFLOW_INSTANCE_ID',
  'SAGAFLOW_LIVE_POLL_MS',
  'SAGAFLOW_HEARTBEAT_MS',
  'LOG_LEVEL',
] as const;
export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** pino's levels; an unknown one would make pino throw at the first logger, far from the cause. */
function logLevel(value: string | undefined): string {
  const level = (value ?? '').trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new Error(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return level;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const env: Readonly<Partial<Record<ConfigVariable, string>>> = source;
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const roles = list(env.SAGAFLOW_ROLES ?? ROLES.join(','));
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`SAGAFLOW_ROLES: unknown role "${role}" (expected ${ROLES.join(', ')})`);
    }
  }
  const bool = (name: ConfigVariable, fallback: boolean) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
    throw new Error(`${name}: expected true or false, got "${value}"`);
  };
  const int = (name: ConfigVariable, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`${name}: expected a non-negative integer, got "${value}"`);
    return n;
  };
  return {
    port: int('PORT', 3000),
    roles: new Set(roles as Role[]),
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sagaflow',
    replicaUrls: list(env.DATABASE_REPLICA_URLS),
    amqpUrl: env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    amqpPrefix: env.SAGAFLOW_AMQP_PREFIX ?? 'sagaflow',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: env.SAGAFLOW_REDIS_PREFIX ?? 'sagaflow:',
    migrate: bool('SAGAFLOW_MIGRATE', true),
    httpAllow: list(env.SAGAFLOW_HTTP_ALLOW),
    inlinePublish: bool('SAGAFLOW_INLINE_PUBLISH', true),
    logLevel: logLevel(env.LOG_LEVEL),
    shardCount: Math.max(1, int('SAGAFLOW_SHARDS', 8)),
    livePollMs: Math.max(10, int('SAGAFLOW_LIVE_POLL_MS', 5000)),
    workerHeartbeatMs: Math.max(100, int('SAGAFLOW_HEARTBEAT_MS', 10_000)),
    instanceId: env.SAGAFLOW_INSTANCE_ID ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
  };
}
