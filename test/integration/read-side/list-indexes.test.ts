import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import type { RunListFilter } from '../../../src/application/ports/run-read-model.js';
import { SqlRunReadModel } from '../../../src/infrastructure/persistence/sql-run-read-model.js';
import { cleanup, isolatedConfig, startApp } from '../support/harness.js';
import { BUILTIN_TYPES } from '../support/flow-helpers.js';

/**
 * The list queries' plans on a table big enough that PostgreSQL would sort or scan if an index
 * were missing: every filter combination must walk one index in order and stop after a page
 * (a Limit over an Index Scan whose conditions are all index conditions, no Sort, no Bitmap/Seq
 * Scan). A third of the runs belong to another namespace, which every list filters out in the
 * same index walk. Plans, not timings: the same plan
 * stays fast at 1,000,000 runs (`npm run bench` times it there).
 */
const RUNS = 200_000;
const config = isolatedConfig('listidx', ['api']);
let app: SagaflowApp | null = null;
let db: pg.Client;
let reads: SqlRunReadModel;

beforeAll(async () => {
  app = await startApp(config);
  db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  await db.query(
    `insert into runs (id, namespace, definition_name, definition_version, status, input, last_seq, version,
       created_at)
     select gen_random_uuid(), case when i % 3 = 0 then 'team-b' else 'default' end, 'def-' || (i % 50), 1,
       (array['RUNNING','COMPLETED','COMPENSATED','FAILED','CANCELLED'])[1 + ((i / 7) % 5)],
       '{}'::jsonb, 1, 1, timestamptz '2026-01-01' + (i * interval '1 minute')
     from generate_series(1, $1::int) as i`,
    [RUNS],
  );
  await db.query('analyze runs');
  reads = new SqlRunReadModel(app.runtime.em);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await cleanup(app, config, [...BUILTIN_TYPES]);
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

async function planOf(filter: RunListFilter): Promise<PlanNode> {
  const compiled = reads.listStatement('default', filter).compile(app!.runtime.db());
  const result = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `explain (format json) ${compiled.sql}`,
    compiled.parameters as unknown[],
  );
  return result.rows[0]!['QUERY PLAN'][0].Plan;
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

async function cursorAfterFirstPage(filter: Omit<RunListFilter, 'limit'>): Promise<string> {
  const page = await reads.listRuns('default', { ...filter, limit: 50 });
  expect(page.nextCursor).not.toBeNull();
  return page.nextCursor!;
}

describe(`list queries over ${RUNS.toLocaleString('en')} runs`, () => {
  const filters: [string, Omit<RunListFilter, 'limit' | 'cursor'>][] = [
    ['no filter', {}],
    ['definition', { definition: 'def-7' }],
    ['status', { status: 'FAILED' }],
    ['definition and status', { definition: 'def-7', status: 'COMPLETED' }],
    ['time range', { createdAfter: new Date('2026-02-01'), createdBefore: new Date('2026-03-01') }],
    ['definition and time', { definition: 'def-3', createdBefore: new Date('2026-03-01') }],
    ['status and time', { status: 'RUNNING', createdAfter: new Date('2026-02-01') }],
  ];

  it.each(filters)('%s: an ordered index scan under a limit, first page and next page', async (_, filter) => {
    for (const cursor of [undefined, await cursorAfterFirstPage(filter)]) {
      const plan = await planOf({ ...filter, limit: 100, ...(cursor ? { cursor } : {}) });
      expect(plan['Node Type']).toBe('Limit');
      const types = nodes(plan).map((n) => n['Node Type']);
      expect(types).not.toContain('Sort');
      expect(types).not.toContain('Seq Scan');
      expect(types).not.toContain('Bitmap Heap Scan');
      expect(types.filter((t) => t === 'Index Scan' || t === 'Index Scan Backward')).toHaveLength(1);
      const scan = nodes(plan).find((n) => n['Index Name'])!;
      expect(scan['Index Name']).toMatch(/^runs_/);
      // Every condition is an index condition: no row is read only to be thrown away.
      expect(scan.Filter).toBeUndefined();
    }
  });

  it('pages are stable under inserts: newer runs never shift or repeat the pages after them', async () => {
    const first = await reads.listRuns('default', { definition: 'def-9', limit: 100 });
    await db.query(
      `insert into runs (id, namespace, definition_name, definition_version, status, input, last_seq, version,
         created_at)
       select gen_random_uuid(), 'default', 'def-9', 1, 'RUNNING', '{}'::jsonb, 1, 1, now() from generate_series(1, 50)`,
    );
    const second = await reads.listRuns('default', {
      definition: 'def-9',
      limit: 100,
      cursor: first.nextCursor!,
    });
    const again = await reads.listRuns('default', {
      definition: 'def-9',
      limit: 100,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((r) => r.id)).toEqual(again.items.map((r) => r.id));
    const seen = new Set(first.items.map((r) => r.id));
    expect(second.items.some((r) => seen.has(r.id))).toBe(false);
    expect(second.items[0]!.createdAt.getTime()).toBeLessThanOrEqual(first.items.at(-1)!.createdAt.getTime());
  });
});
