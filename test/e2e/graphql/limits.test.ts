import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { OPERATION_LIMITS } from '../../../src/interfaces/graphql/limits/operation-limits.js';
import { startGraphqlApp, type GraphqlApp } from './support/graphql-app.js';

/** `__type { fields { type { ofType { … } } } }` nested `levels` deep in all. */
function introspectionOfDepth(levels: number): string {
  let selection = 'name';
  for (let i = 0; i < levels - 4; i++) selection = `ofType { ${selection} }`;
  return `__type(name: "Run") { fields { type { ${selection} } } }`;
}

/**
 * Operations over the limits are refused before execution: no command or query reaches
 * its bus (every resolver sends one), so the spies on both buses stay at zero.
 */
describe('depth and cost limits', () => {
  let app: GraphqlApp;
  let queries: jest.SpiedFunction<QueryBus['execute']>;
  let commands: jest.SpiedFunction<CommandBus['execute']>;

  beforeAll(async () => {
    app = await startGraphqlApp('gqllimits');
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    queries = jest.spyOn(QueryBus.prototype, 'execute');
    commands = jest.spyOn(CommandBus.prototype, 'execute');
  });
  afterEach(() => {
    queries.mockRestore();
    commands.mockRestore();
  });

  const expectRejected = (response: Awaited<ReturnType<GraphqlApp['graphql']>>, message: RegExp): void => {
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.body.errors![0]!.message).toMatch(message);
    expect(queries).not.toHaveBeenCalled();
    expect(commands).not.toHaveBeenCalled();
  };

  it('refuses a query whose page of runs with tasks costs too much, before any resolver', async () => {
    const response = await app.graphql(`{ runs(first: 1000) { items { id tasks { key status } } } }`);
    expectRejected(response, /costs \d+; at most 50000 is allowed/);
  });

  it('prices pages by the variables of the request', async () => {
    const query = `query ($n: Int) { runs(first: $n) { items { id tasks { key status } } } }`;
    expectRejected(await app.graphql(query, { n: 500 }), /at most 50000/);
    const cheap = await app.graphql(query, { n: 50 });
    expect(cheap.status).toBe(200);
    expect(cheap.body.errors).toBeUndefined();
    expect(queries).toHaveBeenCalled();
  });

  it('lets REST-sized pages through: 1000 runs with every scalar, 1000 events', async () => {
    const runs = await app.graphql(`{
      runs(first: 1000) {
        items { id status priority idempotencyKey createdAt startedAt finishedAt
                definition { name version inline } error { taskKey message } }
        nextCursor
      }
    }`);
    expect(runs.body.errors).toBeUndefined();
    const events = await app.graphql(`{
      runEvents(runId: "00000000-0000-4000-8000-000000000000", first: 1000) { seq type taskKey attempt at data }
    }`);
    // Priced and let through: the run does not exist, which only the resolver can tell.
    expect(events.body.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('refuses 400 aliased mutations in one document, before any command', async () => {
    // Cancelling 400 runs at once: over the alias limit, and priced over the cost limit too.
    const id = '00000000-0000-4000-8000-000000000000';
    const fields = Array.from(
      { length: 400 },
      (_, i) => `m${i}: cancelRun(id: "${id}") { id status tasks { key status } }`,
    ).join('\n');
    expectRejected(await app.graphql(`mutation { ${fields} }`), /more than 50 aliases/);
  });

  it(`refuses an operation nested deeper than allowed (${OPERATION_LIMITS.maxIntrospectionDepth} for introspection), before any resolver`, async () => {
    const tooDeep = introspectionOfDepth(OPERATION_LIMITS.maxIntrospectionDepth + 1);
    expectRejected(
      await app.graphql(`{ runs { items { id } } ${tooDeep} }`),
      /nested 21 levels deep; at most 20/,
    );
    const deepEnough = await app.graphql(
      `{ ${introspectionOfDepth(OPERATION_LIMITS.maxIntrospectionDepth)} }`,
    );
    expect(deepEnough.body.errors).toBeUndefined();
  });

  it('measures depth through fragments', async () => {
    // __type (1) + A (1) + B (7) + C (11 + name): 21 levels.
    const fragments = `
      fragment A on __Type { ofType { ...B } }
      fragment B on __Type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ...C } } } } } } } }
      fragment C on __Type { ${'ofType { '.repeat(11)} name ${'} '.repeat(11)} }`;
    expectRejected(
      await app.graphql(`{ runs { nextCursor } __type(name: "Run") { ...A } } ${fragments}`),
      /nested 21 levels deep/,
    );
  });

  it(`refuses an alias bomb (more than ${OPERATION_LIMITS.maxAliases} aliases), before any resolver`, async () => {
    const aliases = (n: number, field: string) =>
      Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
    // __typename is free for the cost limit, so only the alias limit stops this one.
    expectRejected(await app.graphql(`{ ${aliases(2000, '__typename')} }`), /more than 50 aliases/);
    expectRejected(
      await app.graphql(`{ ...F } fragment F on Query { ${aliases(51, 'runs(first: 1) { nextCursor }')} }`),
      /more than 50 aliases/,
    );
    const fine = await app.graphql(`{ ${aliases(50, '__typename')} }`);
    expect(fine.status).toBe(200);
    expect(fine.body.errors).toBeUndefined();
  });

  it(`refuses a directive bomb (more than ${OPERATION_LIMITS.maxDirectives} directives), before any resolver`, async () => {
    const fields = Array.from({ length: 200 }, () => '__typename @include(if: true)').join(' ');
    expectRejected(await app.graphql(`{ ${fields} }`), /more than 50 directives/);
  });

  it('refuses a batch of operations in one request, before any resolver', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(
        Array.from({ length: 100 }, () => ({ query: '{ runs(first: 1) { nextCursor } }' })),
      ),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/batching/i);
    expect(queries).not.toHaveBeenCalled();
    expect(commands).not.toHaveBeenCalled();
  });
});
