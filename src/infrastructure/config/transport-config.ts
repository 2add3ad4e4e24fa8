import { ConfigError, type ConfigEnv } from './config-variables.js';
import { secretValue } from './secret-variables.js';

/** What the api's sockets and pages allow (docs/security.md#transport-hardening). */
export interface TransportConfig {
  /** `NODE_ENV=production`: GraphQL introspection, field suggestions and GraphiQL off. */
  production: boolean;
  /** Browser origins allowed to open `/ws` and graphql-ws (`SAGAFLOW_ALLOWED_ORIGINS`); null: any. */
  allowedOrigins: string[] | null;
  /** Bearer token that may scrape `/metrics` (`SAGAFLOW_METRICS_TOKEN[_FILE]`). */
  metricsToken: string | null;
  /**
   * Port of `/metrics` and `/health/*` for a process without the api role
   * (`SAGAFLOW_METRICS_PORT`; default 9464 then, off with the api role, which serves them itself;
   * `off`: none; `0`: any free port).
   */
  metricsPort: number | null;
}

/** The OpenTelemetry Prometheus exporter's default port, which scrape configs expect. */
export const DEFAULT_METRICS_PORT = 9464;

export function transportConfig(env: ConfigEnv, apiRole: boolean): TransportConfig {
  return {
    metricsPort: metricsPort(env.SAGAFLOW_METRICS_PORT, apiRole),
    production: (env.NODE_ENV ?? '').trim() === 'production',
    allowedOrigins: allowedOrigins(env.SAGAFLOW_ALLOWED_ORIGINS),
    metricsToken: secretValue(env, 'SAGAFLOW_METRICS_TOKEN', 'SAGAFLOW_METRICS_TOKEN_FILE'),
  };
}

/** `https://app.example.com,http://localhost:5173`: origins exactly as browsers send them. */
function allowedOrigins(raw: string | undefined): string[] | null {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  return entries.map((entry) => {
    let origin: string | null = null;
    try {
      const url = new URL(entry);
      if (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        entry.replace(/\/$/, '') === url.origin
      ) {
        origin = url.origin;
      }
    } catch {
      origin = null;
    }
    if (origin === null) {
      throw new ConfigError(
        'SAGAFLOW_ALLOWED_ORIGINS',
        `expected origins like https://app.example.com (scheme, host, optional port; no path), got "${entry}"`,
      );
    }
    return origin;
  });
}

function metricsPort(raw: string | undefined, apiRole: boolean): number | null {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '') return apiRole ? null : DEFAULT_METRICS_PORT;
  if (value === 'off') return null;
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new ConfigError('SAGAFLOW_METRICS_PORT', `expected a port from 0 to 65535 or off, got "${raw}"`);
  }
  return port;
}
