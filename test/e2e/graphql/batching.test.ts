import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { GetRunQuery } from '../../../src/application/queries/run-queries.js';
import type { RunView } from '../../../src/application/queries/run-view.js';
import { buses, eventually, register, startRun } from '../../integration/support/harness.js';
import { uniqueName } from '../support/http-app.js';
import { startGraphqlApp, type GraphqlApp } from './support/graphql-app.js';
import { localAdmin } from '../../../src/application/actor.js';

interface Page {
  runs: {
    items: { id: string; status: string; input: unknown; tasks: { key: string; status: string }[] }[];
    nextCursor: string | null;
  };
}

const PAGE = `query ($first: Int) {
  runs(first: $first) { items { id status input tasks { key status } } nextCursor }
}`;

/**
 * `Run.tasks` of a list page resolves through the request's run loader, so the page costs
 * a fixed number of SQL statements: counted where they reach the pg driver.
 */
describe('runs(first) with tasks', () => {
  let app: GraphqlApp;
  const name = uniqueName('batch');
  const ids: string[] = [];

  beforeAll(async () => {
    // The api role alone: no engine loop sends statements of its own meanwhile.
    app = await startGraphqlApp('gqlbatch', ['api']);
    await register(app.sagaflow, {
      name,
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'noop', dependsOn: ['a'] },
        { key: 'c', type: 'noop', dependsOn: ['a'] },
      ],
    });
    // A second version, so the page's runs name two definition versions.
    await register(app.sagaflow, { name, tasks: [{ key: 'only', type: 'noop' }] });
    for (let i = 0; i < 50; i++) {
      ids.push(await startRun(app.sagaflow, { definition: name, version: (i % 2) + 1, input: { i } }));
    }
    // The api publishes its outbox rows after commit and deletes them in the background:
    // let that settle so that only the request's statements are counted.
    const db = new pg.Client({ connectionString: app.config.databaseUrl });
    await db.connect();
    try {
      await eventually(
        async () => (await db.query<{ n: string }>('select count(*) as n from outbox')).rows[0]?.n,
        (n) => n === '0',
      );
    } finally {
      await db.end();
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  async function countStatements(first: number): Promise<{ page: Page; statements: number }> {
    const spy = jest.spyOn(pg.Client.prototype, 'query');
    try {
      const { status, body } = await app.graphql<Page>(PAGE, { first });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      return { page: body.data!, statements: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  it('reads 50 runs with their tasks in at most 4 statements, and 10 runs in as many', async () => {
    const fifty = await countStatements(50);
    const ten = await countStatements(10);

    expect(fifty.page.runs.items).toHaveLength(50);
    expect(ten.page.runs.items).toHaveLength(10);
    expect(fifty.statements).toBeGreaterThan(0);
    expect(fifty.statements).toBeLessThanOrEqual(4);
    expect(ten.statements).toBe(fifty.statements);
  });

  it('gives every item the tasks and input that GET /v1/runs/{id} shows', async () => {
    const { page } = await countStatements(50);
    expect(new Set(page.runs.items.map((r) => r.id))).toEqual(new Set(ids));
    for (const item of page.runs.items) {
      const rest = await buses(app.sagaflow).queries.execute<GetRunQuery, RunView>(
        new GetRunQuery(localAdmin(), item.id),
      );
      expect(item.input).toEqual(rest.input);
      expect(item.tasks).toEqual(rest.tasks.map(({ key, status }) => ({ key, status })));
    }
    const versions = page.runs.items.map((r) => r.tasks.length);
    expect(new Set(versions)).toEqual(new Set([1, 3]));
  });
});
