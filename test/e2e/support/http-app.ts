import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, isolatedConfig } from '../../integration/support/harness.js';

export interface HttpApp {
  sagaflow: SagaflowApp;
  http: NestFastifyApplication;
  db: pg.Client;
  close(): Promise<void>;
}

/**
 * A real Sagaflow process (api + orchestrator, so `delay` runs finish) on this worker's own
 * database and broker prefix, plus a direct database connection to count rows.
 */
export async function startHttpApp(): Promise<HttpApp> {
  const config = isolatedConfig('http', ['api', 'orchestrator']);
  const sagaflow = await createApp(config);
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  return {
    sagaflow,
    http: sagaflow.app as NestFastifyApplication,
    db,
    async close() {
      await db.end();
      // Drops this file's database and AMQP topology (the api declares task queues on publish).
      await cleanup(sagaflow, config, ['delay', 'noop', 'echo', 'http']);
    },
  };
}

const TABLES = ['definitions', 'runs', 'task_runs', 'run_events', 'outbox'] as const;

/** Row counts of every table a request could write to. */
export async function rowCounts(db: pg.Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const result = await db.query<{ n: string }>(`select count(*) as n from ${table}`);
    counts[table] = Number(result.rows[0]?.n ?? NaN);
  }
  return counts;
}

/** Unique per test run: the database outlives runs, and definition names are global. */
export const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
