/**
 * Checks `/health/ready` runs, one per dependency, named as SPEC §7 names them (`postgres`,
 * `rabbitmq`, `redis`, `postgres_replica_N`). The composition root provides them; without
 * the provider the process reports ready with no entries.
 */
export const READINESS_PROBES = Symbol('ReadinessProbes');

export type ReadinessProbe = { name: string; check(): Promise<boolean> }[];
