/**
 * Checks `/health/ready` runs, one per dependency, named as docs/contract.md#observability names them (`postgres`,
 * `rabbitmq`, `redis`, `postgres_replica_N`). The composition root provides them; without
 * the provider the process reports ready with no entries.
 */
export const READINESS_PROBES = Symbol('ReadinessProbes');

export interface DependencyProbe {
  name: string;
  /**
   * Whether the process can do its work without it. A required dependency that is down fails
   * readiness (503); an optional one (Redis, a replica: both have a PostgreSQL fallback) is
   * reported `degraded` and readiness holds. Default: required.
   */
  required?: boolean;
  /** Resolves true when usable; false or a rejection (its message is shown) when not. */
  check(signal: AbortSignal): Promise<boolean>;
}

export type ReadinessProbe = DependencyProbe[];
