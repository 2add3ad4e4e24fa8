import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { sql } from 'kysely';
import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type {
  DefinitionRepository,
  RegisterOutcome,
  StoredDefinition,
} from '../../application/ports/definition-repository.js';
import { DefinitionRecord } from './entities.js';

type Record_ = InstanceType<typeof DefinitionRecord.class>;
type Row = { namespace: string; body: Record<string, unknown>; canonical: string; created_at: Date | string };

/**
 * Registered definitions through MikroORM's unit of work (not a hot path). Every query names the
 * namespace: a definition of another namespace is never found.
 */
export class MikroOrmDefinitionRepository implements DefinitionRepository {
  constructor(private readonly em: EntityManager) {}

  /** On every run start, so plain SQL rather than a unit of work. */
  async find(namespace: string, name: string, version?: number): Promise<StoredDefinition | null> {
    const db = this.em.fork().getKysely();
    const rows =
      version === undefined
        ? await sql<Row>`select namespace, body, canonical, created_at from definitions
            where namespace = ${namespace} and name = ${name} order by version desc limit 1`.execute(db)
        : await sql<Row>`select namespace, body, canonical, created_at from definitions
            where namespace = ${namespace} and name = ${name} and version = ${version}`.execute(db);
    const row = rows.rows[0];
    return row ? toStored(fromRow(row)) : null;
  }

  async listLatest(namespace: string): Promise<StoredDefinition[]> {
    const rows = await sql<Row>`
      select distinct on (name) namespace, body, canonical, created_at from definitions
      where namespace = ${namespace} order by name, version desc`.execute(this.em.fork().getKysely());
    return rows.rows.map((r) => toStored(fromRow(r)));
  }

  async register(
    namespace: string,
    definition: WorkflowDefinition,
    canonical: string,
  ): Promise<RegisterOutcome> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return await this.em.fork().transactional(async (em) => {
          const latest = await em.findOne(
            DefinitionRecord,
            { namespace, name: definition.name },
            { orderBy: { version: 'desc' } },
          );
          if (definition.version !== null) {
            const same = await em.findOne(DefinitionRecord, {
              namespace,
              name: definition.name,
              version: definition.version,
            });
            if (same)
              return same.canonical === canonical
                ? { outcome: 'unchanged', stored: toStored(same) }
                : { outcome: 'conflict' };
          } else if (latest && latest.canonical === canonical) {
            return { outcome: 'unchanged', stored: toStored(latest) };
          }
          const version = definition.version ?? (latest?.version ?? 0) + 1;
          const record = em.create(DefinitionRecord, {
            namespace,
            name: definition.name,
            version,
            body: { ...definition, version },
            canonical,
            createdAt: new Date(),
          });
          await em.flush();
          return { outcome: 'created', stored: toStored(record) };
        });
      } catch (error) {
        // Two registrations raced for the same version: decide again with the winner visible.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
      }
    }
    return { outcome: 'conflict' };
  }
}

type Stored = Pick<Record_, 'namespace' | 'body' | 'canonical' | 'createdAt'>;

function fromRow(row: Row): Stored {
  return {
    namespace: row.namespace,
    body: row.body,
    canonical: row.canonical,
    createdAt: new Date(row.created_at),
  };
}

function toStored(record: Stored): StoredDefinition {
  return {
    namespace: record.namespace,
    definition: record.body as unknown as StoredDefinition['definition'],
    canonical: record.canonical,
    createdAt: record.createdAt,
  };
}
