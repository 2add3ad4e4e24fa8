import { connectionError } from '../infrastructure/config/connection-errors.js';
import { replicaPings } from '../infrastructure/persistence/replica-pings.js';
import type { SagaflowRuntime } from './composition/sagaflow-runtime.js';
import type { ReadinessProbe } from '../interfaces/http/health/readiness.js';
import type { RolesService } from './roles.service.js';

/**
 * What `/health/ready` checks (docs/operations.md, "Health"). PostgreSQL and RabbitMQ are
 * required: without either no role can work. `rabbitmq` also waits for this process's roles
 * (topology declared, consumers attached), which all live on the broker connection. Redis and
 * the replicas are optional: reads fall back to the primary, so they show `degraded`, not 503.
 * Replicas are numbered from 0 in `DATABASE_REPLICA_URLS` order. Every message of a dependency
 * that is down names the variable to fix (docs/contract.md#health-and-metrics).
 */
export function readinessProbes(runtime: SagaflowRuntime, roles: RolesService): ReadinessProbe {
  return [
    { name: 'postgres', check: () => runtime.checkDatabase() },
    {
      name: 'rabbitmq',
      check: async () => {
        if (!runtime.amqp.isReady()) {
          throw new Error(
            runtime.amqp.lastError() ?? 'RabbitMQ (AMQP_URL): connecting, or topology not declared yet',
          );
        }
        if (!roles.isReady()) throw new Error('the roles of this process are not started');
        return true;
      },
    },
    {
      name: 'redis',
      required: false,
      check: async () => {
        await runtime.readSide.redis.ping().catch((error: unknown) => {
          throw new Error(connectionError('Redis', runtime.config.redisUrl, 'REDIS_URL', error), {
            cause: error,
          });
        });
        if (!runtime.readSide.redis.breakerClosed) throw new Error('breaker open: reads use PostgreSQL');
        return true;
      },
    },
    ...replicaPings(runtime.orm).map((ping, n) => ({
      name: `postgres_replica_${n}`,
      required: false,
      check: () =>
        ping().catch((error: unknown) => {
          const url = runtime.config.replicaUrls[n] ?? '';
          throw new Error(connectionError('PostgreSQL replica', url, 'DATABASE_REPLICA_URLS', error), {
            cause: error,
          });
        }),
    })),
  ];
}
