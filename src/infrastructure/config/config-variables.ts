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
  'SAGAFLOW_QUEUE_TYPE',
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
  'SAGAFLOW_WORKER_CONCURRENCY',
  'SAGAFLOW_WORKER_STOP_GRACE_MS',
  'LOG_LEVEL',
  // Authentication
  'HOST',
  'SAGAFLOW_AUTH',
  'SAGAFLOW_JWT_SECRET',
  'SAGAFLOW_JWT_PUBLIC_KEY',
  'SAGAFLOW_JWKS_FILE',
  'SAGAFLOW_JWT_ALGORITHM',
  'SAGAFLOW_JWT_ISSUER',
  'SAGAFLOW_JWT_AUDIENCE',
  'SAGAFLOW_ADMIN_API_KEY',
  // Secrets may come from files instead (docs/security.md#secrets-and-dependencies).
  'SAGAFLOW_JWT_SECRET_FILE',
  'SAGAFLOW_JWT_PUBLIC_KEY_FILE',
  'SAGAFLOW_ADMIN_API_KEY_FILE',
  'SAGAFLOW_RATE_LIMIT',
  // Transport (docs/security.md#transport-hardening)
  'NODE_ENV',
  'SAGAFLOW_ALLOWED_ORIGINS',
  'SAGAFLOW_METRICS_TOKEN',
  'SAGAFLOW_METRICS_TOKEN_FILE',
  'SAGAFLOW_METRICS_PORT',
  // Resource limits
  'SAGAFLOW_MAX_TASKS',
  'SAGAFLOW_MAX_PAYLOAD_BYTES',
  // Admission control (docs/operations.md#overload)
  'SAGAFLOW_MAX_BACKLOG',
  // Fault injection for tests (docs/failure-modes.md#fault-hooks); refused in production.
  'SAGAFLOW_FAULTS',
] as const;
export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

/** The environment as configuration reads it: only the variables above. */
export type ConfigEnv = Readonly<Partial<Record<ConfigVariable, string>>>;

/**
 * A malformed configuration value. Its message starts with the variable's name and is meant to
 * be shown alone, as one line (main.ts prints it without a stack and exits non-zero).
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: ConfigVariable,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}
