import type { MikroORM } from '@mikro-orm/postgresql';

interface ReplicaConnection {
  execute(query: string): Promise<unknown>;
}

/**
 * One ping per configured replica, in `DATABASE_REPLICA_URLS` order, over MikroORM's own replica
 * pools (so readiness checks the connections reads use). MikroORM picks a random replica for
 * each read and exposes no single one, so this reads the driver's `replicas` list, which it
 * builds from the `replicas` option in that order (checked on MikroORM 7.2).
 */
export function replicaPings(orm: MikroORM): (() => Promise<boolean>)[] {
  const replicas = (orm.driver as unknown as { replicas?: readonly ReplicaConnection[] }).replicas ?? [];
  return replicas.map((replica) => async () => {
    await replica.execute('select 1');
    return true;
  });
}
