import { parseRateBudget, type RateBudget } from '../../application/rate-budget.js';
import { ConfigError, type ConfigEnv } from './config-variables.js';
import { secretValue } from './secret-variables.js';

/** Who may call the api and how often (docs/security.md#authentication-and-roles). */
export interface AuthConfig {
  /** Address the api listens on (`HOST`). */
  host: string;
  /** Whether requests need a credential (`SAGAFLOW_AUTH`; default on unless `host` is loopback). */
  auth: boolean;
  /** `SAGAFLOW_AUTH=off` was set explicitly (allows auth off beyond loopback, with a warning). */
  authExplicitlyOff: boolean;
  jwt: JwtConfig;
  /** Bootstrap admin API key for every namespace (`SAGAFLOW_ADMIN_API_KEY`). */
  adminApiKey: string | null;
  /**
   * Requests per principal, or per client IP before authentication (`SAGAFLOW_RATE_LIMIT`;
   * default 100/1m with auth on, off without); null: off. An API key's own budget overrides it.
   */
  rateLimit: RateBudget | null;
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
export function authConfig(env: ConfigEnv): AuthConfig {
  const host = (env.HOST ?? '').trim() || '127.0.0.1';
  const raw = (env.SAGAFLOW_AUTH ?? '').trim().toLowerCase();
  if (raw !== '' && raw !== 'on' && raw !== 'off') {
    throw new ConfigError('SAGAFLOW_AUTH', `expected on or off, got "${env.SAGAFLOW_AUTH}"`);
  }
  const auth = raw === '' ? !isLoopbackHost(host) : raw === 'on';
  const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value);
  const jwt: JwtConfig = {
    secret: secretValue(env, 'SAGAFLOW_JWT_SECRET', 'SAGAFLOW_JWT_SECRET_FILE'),
    publicKey:
      secretValue(env, 'SAGAFLOW_JWT_PUBLIC_KEY', 'SAGAFLOW_JWT_PUBLIC_KEY_FILE')?.replace(/\\n/g, '\n') ??
      null,
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
  return {
    host,
    auth,
    authExplicitlyOff: raw === 'off',
    jwt,
    adminApiKey: secretValue(env, 'SAGAFLOW_ADMIN_API_KEY', 'SAGAFLOW_ADMIN_API_KEY_FILE'),
    rateLimit: rateLimitConfig(env.SAGAFLOW_RATE_LIMIT, auth),
  };
}

const DEFAULT_RATE_LIMIT: RateBudget = { limit: 100, windowMs: 60_000 };

function rateLimitConfig(raw: string | undefined, auth: boolean): RateBudget | null {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return auth ? DEFAULT_RATE_LIMIT : null;
  if (value === 'off') return null;
  const budget = parseRateBudget(value);
  if (budget === null) {
    throw new ConfigError('SAGAFLOW_RATE_LIMIT', `expected <n>/<window> (s, m or h) or off, got "${raw}"`);
  }
  return budget;
}
