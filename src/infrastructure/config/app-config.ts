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
  // --- Authentication (docs/security.md#authentication-and-roles) ---
  /** Address the api listens on (`HOST`). */
  host: string;
  /** Whether requests need a credential (`SAGAFLOW_AUTH`; default on unless `host` is loopback). */
  auth: boolean;
  /** `SAGAFLOW_AUTH=off` was set explicitly (allows auth off beyond loopback, with a warning). */
  authExplicitlyOff: boolean;
  jwt: JwtConfig;
  /** Bootstrap admin API key for every namespace (`SAGAFLOW_ADMIN_API_KEY`). */
  adminApiKey: string | null;
}

/** How Bearer JWTs are verified; the accepted algorithm is fixed by which key is set. */
export interface JwtConfig {
  secret: string | null;
  publicKey: string | null;
  jwksFile: string | null;
  /** Pinned algorithm (`SAGAFLOW_JWT_ALGORITHM`; default HS256 with a secret, RS256 with a PEM or JWKS). */
  algorithm: string | null;
  issuer: string | null;
  audience: string | null;
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
] as const;
export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

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

/** Loopback addresses: listening only there keeps the api off the network. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'EdDSA',
];

// Authentication: HOST, SAGAFLOW_AUTH and the credential keys.
function authConfig(env: Readonly<Partial<Record<ConfigVariable, string>>>) {
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  const raw = (env.SAGAFLOW_AUTH ?? '').trim().toLowerCase();
  if (raw !== '' && raw !== 'on' && raw !== 'off') {
    throw new ConfigError('SAGAFLOW_AUTH', `expected on or off, got "${env.SAGAFLOW_AUTH}"`);
  }
  const auth = raw === '' ? !isLoopbackHost(host) : raw === 'on';
  const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value);
  const jwt: JwtConfig = {
    secret: text(env.SAGAFLOW_JWT_SECRET),
    publicKey: text(env.SAGAFLOW_JWT_PUBLIC_KEY)?.replace(/\\n/g, '\n') ?? null,
    jwksFile: text(env.SAGAFLOW_JWKS_FILE),
    algorithm: text(env.SAGAFLOW_JWT_ALGORITHM)?.trim() ?? null,
    issuer: text(env.SAGAFLOW_JWT_ISSUER),
    audience: text(env.SAGAFLOW_JWT_AUDIENCE),
  };
  const keys = [jwt.secret, jwt.publicKey, jwt.jwksFile].filter((k) => k !== null).length;
  if (keys > 1) {
    throw new ConfigError(
      'SAGAFLOW_JWT_SECRET',
      'set only one of SAGAFLOW_JWT_SECRET, SAGAFLOW_JWT_PUBLIC_KEY and SAGAFLOW_JWKS_FILE (it fixes the algorithm)',
    );
  }
  if (jwt.algorithm !== null && !JWT_ALGORITHMS.includes(jwt.algorithm)) {
    throw new ConfigError(
      'SAGAFLOW_JWT_ALGORITHM',
      `expected one of ${JWT_ALGORITHMS.join(', ')}, got "${jwt.algorithm}"`,
    );
  }
  if (jwt.secret !== null && jwt.algorithm !== null && !jwt.algorithm.startsWith('HS')) {
    throw new ConfigError(
      'SAGAFLOW_JWT_ALGORITHM',
      `${jwt.algorithm} needs a public key, not SAGAFLOW_JWT_SECRET`,
    );
  }
  if (jwt.secret === null && jwt.algorithm?.startsWith('HS')) {
    throw new ConfigError('SAGAFLOW_JWT_ALGORITHM', `${jwt.algorithm} needs SAGAFLOW_JWT_SECRET`);
  }
  return { host, auth, authExplicitlyOff: raw === 'off', jwt, adminApiKey: text(env.SAGAFLOW_ADMIN_API_KEY) };
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
    amqpUrl: connectionUrl('AMQP_URL', env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672', [
      'amqp:',
      'amqps:',
    ]),
    amqpPrefix: env.SAGAFLOW_AMQP_PREFIX ?? 'sagaflow',
    redisUrl: connectionUrl('REDIS_URL', env.REDIS_URL ?? 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisPrefix: env.SAGAFLOW_REDIS_PREFIX ?? 'sagaflow:',
    migrate: bool('SAGAFLOW_MIGRATE', true),
    httpAllow: list(env.SAGAFLOW_HTTP_ALLOW),
    inlinePublish: bool('SAGAFLOW_INLINE_PUBLISH', true),
    logLevel: logLevel(env.LOG_LEVEL),
    shardCount: Math.max(1, int('SAGAFLOW_SHARDS', 8)),
    livePollMs: Math.max(10, int('SAGAFLOW_LIVE_POLL_MS', 5000)),
    workerHeartbeatMs: Math.max(100, int('SAGAFLOW_HEARTBEAT_MS', 10_000)),
    instanceId: env.SAGAFLOW_INSTANCE_ID ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    ...authConfig(env),
  };
}
