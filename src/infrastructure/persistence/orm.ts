import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { DefinitionRecord, RunEventRecord } from './entities.js';
import { Migration20261122000000Initial } from './migrations/Migration20261122000000Initial.js';
import { Migration20261202000000ListIndexes } from './migrations/Migration20261202000000ListIndexes.js';
import { Migration20261203000000RunTraceParent } from './migrations/Migration20261203000000RunTraceParent.js';
import { Migration20261204100000WorkerHeartbeats } from './migrations/Migration20261204100000WorkerHeartbeats.js';
import { Migration20261206000000Namespaces } from './migrations/Migration20261206000000Namespaces.js';
import { Migration20261206100000ApiKeys } from './migrations/Migration20261206100000ApiKeys.js';
import { Migration20261207000000DeadLetters } from './migrations/Migration20261207000000DeadLetters.js';

export interface OrmOptions {
  databaseUrl: string;
  replicaUrls?: string[];
  poolSize?: number;
  debug?: boolean;
}

/** MikroORM on PostgreSQL, migrations listed in code so `dist/` and tests run the same ones. */
export function createOrm(options: OrmOptions): MikroORM {
  return new MikroORM({
    clientUrl: options.databaseUrl,
    entities: [DefinitionRecord, RunEventRecord],
    extensions: [Migrator],
    replicas: (options.replicaUrls ?? []).map((url) => ({ clientUrl: url })),
    pool: { min: 0, max: options.poolSize ?? 10 },
    debug: options.debug ?? false,
    // Migrations report through our own logs; MikroORM's console output would drown them.
    logger: () => undefined,
    allowGlobalContext: false,
    migrations: {
      tableName: 'sagaflow_migrations',
      migrationsList: [
        { name: 'Migration20261122000000Initial', class: Migration20261122000000Initial },
        { name: 'Migration20261202000000ListIndexes', class: Migration20261202000000ListIndexes },
        { name: 'Migration20261203000000RunTraceParent', class: Migration20261203000000RunTraceParent },
        { name: 'Migration20261204100000WorkerHeartbeats', class: Migration20261204100000WorkerHeartbeats },
        { name: 'Migration20261206000000Namespaces', class: Migration20261206000000Namespaces },
        { name: 'Migration20261206100000ApiKeys', class: Migration20261206100000ApiKeys },
        { name: 'Migration20261207000000DeadLetters', class: Migration20261207000000DeadLetters },
      ],
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
  });
}
