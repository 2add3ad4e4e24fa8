import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';

const worker = process.env.JEST_WORKER_ID ?? '0';
export const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/sagaflow_test_http_${worker}`;

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
  const sagaflow = await createApp({
    port: 0,
    databaseUrl: DATABASE_URL,
    amqpPrefix: `sftest_http_${worker}`,
    roles: new Set(['api', 'orchestrator']),
  });
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  return {
    sagaflow,
    http: sagaflow.app as NestFastifyApplication,
    db,
    async close() {
      await db.end();
      await sagaflow.close();
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
