import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { QueryBus } from '@nestjs/cqrs';
import { eventually } from '../../integration/support/harness.js';
import { uniqueName } from '../support/http-app.js';
import { startGraphqlApp, type GraphqlApp, type GraphqlError } from './support/graphql-app.js';
import { asGraphqlRun, RUN_FIELDS } from './support/run-fields.js';

interface RunJson {
  id: string;
  status: string;
  definition: { name: string; version: number | null; inline: boolean };
  tasks: { key: string; status: string }[];
}

const START = `${RUN_FIELDS}
  mutation ($definition: String, $inline: JSON, $version: Int, $input: JSON, $key: String, $priority: Int) {
    startRun(definition: $definition, inline: $inline, version: $version, input: $input,
             idempotencyKey: $key, priority: $priority) { ...RunFields }
  }`;

describe('GraphQL queries and mutations against the real app', () => {
  let app: GraphqlApp;
  const name = uniqueName('gqlops');
  /** The first task waits a minute: runs of it stay RUNNING while the test looks at them. */
  const slow = {
    name,
    description: 'slow, then fast',
    tasks: [
      { key: 'wait', type: 'delay', input: { ms: 60000 } },
      { key: 'after', type: 'delay', dependsOn: ['wait'], input: { ms: 0 } },
    ],
  };
  const fastName = uniqueName('gqlfast');

  beforeAll(async () => {
    // api + orchestrator: `delay` tasks run on the orchestrator's timers, no worker needed.
    app = await startGraphqlApp('gqlops', ['api', 'orchestrator']);
  });
  afterAll(async () => {
    await app?.close();
  });

  const rest = async (url: string) => (await app.http.inject({ method: 'GET', url })).json<unknown>();
  const errorOf = (errors: GraphqlError[] | undefined) => {
    expect(errors).toHaveLength(1);
    return errors![0]!;
  };
  const start = async (variables: Record<string, unknown>) =>
    app.graphql<{ startRun: RunJson }>(START, variables);

  it('registers a definition, then identical content returns the same version', async () => {
    const mutation = `mutation ($d: JSON!) {
      registerDefinition(definition: $d) {
        name version description output createdAt
        tasks { key type dependsOn input timeoutMs priority idempotencyKey
                retry { maxAttempts initialIntervalMs backoffCoefficient maxIntervalMs jitter }
                compensation { type } }
      }
    }`;
    const first = await app.graphql<{ registerDefinition: Record<string, unknown> }>(mutation, { d: slow });
    expect(first.body.errors).toBeUndefined();
    const registered = first.body.data!.registerDefinition;
    expect(registered).toMatchObject({
      name,
      version: 1,
      description: 'slow, then fast',
      tasks: [
        {
          key: 'wait',
          type: 'delay',
          dependsOn: [],
          input: { ms: 60000 },
          retry: {
            maxAttempts: 3,
            initialIntervalMs: 1000,
            backoffCoefficient: 2,
            maxIntervalMs: 60000,
            jitter: 0,
          },
          compensation: null,
        },
        { key: 'after', dependsOn: ['wait'] },
      ],
    });
    const again = await app.graphql<{ registerDefinition: unknown }>(mutation, { d: slow });
    expect(again.body.data!.registerDefinition).toEqual(registered);
    // The same fields as REST's GET /v1/definitions/{name}.
    const restDefinition = (await rest(`/v1/definitions/${name}`)) as Record<string, unknown>;
    expect(registered).toEqual(
      expect.objectContaining({ name, version: 1, createdAt: restDefinition.createdAt }),
    );

    const fast = { name: fastName, tasks: [{ key: 'only', type: 'delay', input: { ms: 0 } }] };
    expect((await app.graphql(mutation, { d: fast })).body.errors).toBeUndefined();
  });

  it('names every invalid field of a definition by JSON path (BAD_USER_INPUT)', async () => {
    const { status, body } = await app.graphql(
      `mutation ($d: JSON!) { registerDefinition(definition: $d) { name } }`,
      { d: { name: 'Bad Name', tasks: [{ key: 'a', type: 'noop', retry: { maxAttempts: 0 } }] } },
    );
    expect(status).toBe(200);
    const error = errorOf(body.errors);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['name', 'tasks[0].retry.maxAttempts']),
    );
    expect(body.data).toBeNull();
  });

  it('answers a version registered again with different content with CONFLICT', async () => {
    const { body } = await app.graphql(
      `mutation ($d: JSON!) { registerDefinition(definition: $d) { name } }`,
      {
        d: { ...slow, version: 1, description: 'changed' },
      },
    );
    expect(errorOf(body.errors).extensions?.code).toBe('CONFLICT');
  });

  it('reads definitions: latest, by version, absent, and the list', async () => {
    const { body } = await app.graphql<Record<string, unknown>>(
      `query ($name: String!) {
        latest: definition(name: $name) { name version }
        one: definition(name: $name, version: 1) { version }
        missing: definition(name: $name, version: 2) { version }
        zero: definition(name: $name, version: 0) { version }
        unknown: definition(name: "no-such-definition") { version }
        definitions { name version }
      }`,
      { name },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      latest: { name, version: 1 },
      one: { version: 1 },
      missing: null,
      zero: null,
      unknown: null,
    });
    expect(body.data!.definitions).toEqual(expect.arrayContaining([{ name, version: 1 }]));
  });

  it('starts a run whose every field equals GET /v1/runs/{id}, and reads it back with run(id)', async () => {
    const started = await start({ definition: name, input: { order: 7 }, priority: 3 });
    expect(started.body.errors).toBeUndefined();
    const run = started.body.data!.startRun;
    expect(run).toMatchObject({ definition: { name, version: 1, inline: false }, status: 'RUNNING' });

    await eventually(
      async () => ((await rest(`/v1/runs/${run.id}`)) as RunJson).tasks[0]!.status,
      (s) => s === 'RUNNING',
    );
    const read = await app.graphql<{ run: unknown }>(
      `${RUN_FIELDS} query ($id: ID!) { run(id: $id) { ...RunFields } }`,
      {
        id: run.id.toUpperCase(),
      },
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data!.run).toEqual(asGraphqlRun(await rest(`/v1/runs/${run.id}`)));
  });

  it('answers run(id) for an unknown or malformed id with null', async () => {
    const { body } = await app.graphql(`{
      unknown: run(id: "00000000-0000-4000-8000-000000000000") { id }
      malformed: run(id: "not-a-run") { id }
    }`);
    expect(body).toEqual({ data: { unknown: null, malformed: null } });
  });

  it('starts a run of an inline definition', async () => {
    const inline = { name: uniqueName('inline'), tasks: [{ key: 'x', type: 'delay', input: { ms: 0 } }] };
    const { body } = await start({ inline });
    expect(body.errors).toBeUndefined();
    expect(body.data!.startRun.definition).toEqual({ name: inline.name, version: null, inline: true });
  });

  it('wants exactly one of definition and inline', async () => {
    const inline = { name: uniqueName('inline'), tasks: [{ key: 'x', type: 'noop' }] };
    for (const variables of [{}, { definition: name, inline }]) {
      const error = errorOf((await start(variables)).body.errors);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.errors?.map((e) => e.path)).toEqual(['definition']);
    }
  });

  it('names the invalid fields of an inline definition under `inline`', async () => {
    const { body } = await start({
      inline: { tasks: [{ key: 'x', type: 'noop', priority: 12 }] },
      priority: 10,
    });
    const error = errorOf(body.errors);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.extensions?.errors?.map((e) => e.path)).toEqual(
      expect.arrayContaining(['inline.name', 'priority']),
    );
  });

  it('answers an unknown definition with NOT_FOUND', async () => {
    const error = errorOf((await start({ definition: 'no-such-definition' })).body.errors);
    expect(error.extensions?.code).toBe('NOT_FOUND');
  });

  it('replays a start with the same idempotency key and refuses a different one (CONFLICT)', async () => {
    const key = uniqueName('key');
    const first = (await start({ definition: name, input: { n: 1 }, key })).body.data!.startRun;
    const replay = (await start({ definition: name, input: { n: 1 }, key })).body.data!.startRun;
    expect(replay.id).toBe(first.id);
    const error = errorOf((await start({ definition: name, input: { n: 2 }, key })).body.errors);
    expect(error.extensions?.code).toBe('CONFLICT');
  });

  it('lists runs newest first, by definition and status, page by page', async () => {
    const query = `query ($name: String, $status: RunStatus, $first: Int, $after: String) {
      runs(definition: $name, status: $status, first: $first, after: $after) { items { id status } nextCursor }
    }`;
    type Page = { runs: { items: { id: string; status: string }[]; nextCursor: string | null } };
    for (let i = 0; i < 3; i++) expect((await start({ definition: name })).body.errors).toBeUndefined();
    const all = (await app.graphql<Page>(query, { name, first: 1000 })).body.data!.runs;
    expect(all.items.length).toBeGreaterThanOrEqual(4);
    expect(all.nextCursor).toBeNull();
    const restList = (await rest(`/v1/runs?definition=${name}`)) as { items: { id: string }[] };
    expect(all.items.map((r) => r.id)).toEqual(restList.items.map((r) => r.id));

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Page['runs'] = (await app.graphql<Page>(query, { name, first: 2, after })).body.data!.runs;
      seen.push(...page.items.map((r) => r.id));
      after = page.nextCursor;
    } while (after);
    expect(seen).toEqual(all.items.map((r) => r.id));

    const running = (await app.graphql<Page>(query, { name, status: 'RUNNING' })).body.data!.runs;
    expect(running.items.every((r) => r.status === 'RUNNING')).toBe(true);
    expect(running.items.length).toBe(all.items.filter((r) => r.status === 'RUNNING').length);
  });

  it('reads runEvents as GET /v1/runs/{id}/events lists them', async () => {
    const id = (await start({ definition: name })).body.data!.startRun.id;
    const restEvents = async (after: number) =>
      ((await rest(`/v1/runs/${id}/events?after=${after}`)) as { items: unknown[] }).items;
    await eventually(
      () => restEvents(0),
      (items) => items.length >= 3,
    );
    const query = `query ($id: ID!, $after: Int, $first: Int) {
      runEvents(runId: $id, after: $after, first: $first) { seq type taskKey attempt at data }
    }`;
    const all = await app.graphql<{ runEvents: { seq: number }[] }>(query, { id });
    expect(all.body.data!.runEvents).toEqual(await restEvents(0));
    const tail = await app.graphql<{ runEvents: { seq: number }[] }>(query, { id, after: 1, first: 1 });
    expect(tail.body.data!.runEvents).toEqual((await restEvents(1)).slice(0, 1));

    const unknown = await app.graphql(query, { id: '00000000-0000-4000-8000-000000000000' });
    expect(errorOf(unknown.body.errors).extensions?.code).toBe('NOT_FOUND');
    const negative = await app.graphql(query, { id, after: -1 });
    expect(errorOf(negative.body.errors).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ path: 'after' }],
    });
  });

  it('cancels a running run, and refuses to cancel or retry a finished one (UNPROCESSABLE)', async () => {
    const id = (await start({ definition: name })).body.data!.startRun.id;
    const cancel = `mutation ($id: ID!, $reason: String) { cancelRun(id: $id, reason: $reason) { id status } }`;
    const cancelled = await app.graphql<{ cancelRun: RunJson }>(cancel, { id, reason: 'test' });
    expect(cancelled.body.errors).toBeUndefined();
    expect(['CANCELLING', 'CANCELLED']).toContain(cancelled.body.data!.cancelRun.status);

    const done = (await start({ definition: fastName })).body.data!.startRun.id;
    await eventually(
      async () => ((await rest(`/v1/runs/${done}`)) as RunJson).status,
      (s) => s === 'COMPLETED',
    );
    expect(errorOf((await app.graphql(cancel, { id: done })).body.errors).extensions?.code).toBe(
      'UNPROCESSABLE',
    );
    const retry = await app.graphql(`mutation ($id: ID!) { retryRun(id: $id) { id } }`, { id: done });
    expect(errorOf(retry.body.errors).extensions?.code).toBe('UNPROCESSABLE');
  });

  it('answers run mutations on unknown or malformed ids with NOT_FOUND, a too long reason with BAD_USER_INPUT', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const cancel = await app.graphql(`mutation ($id: ID!) { cancelRun(id: $id) { id } }`, { id });
      expect(errorOf(cancel.body.errors).extensions?.code).toBe('NOT_FOUND');
      const retry = await app.graphql(`mutation ($id: ID!) { retryRun(id: $id) { id } }`, { id });
      expect(errorOf(retry.body.errors).extensions?.code).toBe('NOT_FOUND');
    }
    const id = (await start({ definition: name })).body.data!.startRun.id;
    const long = await app.graphql(
      `mutation ($id: ID!, $r: String) { cancelRun(id: $id, reason: $r) { id } }`,
      {
        id,
        r: 'x'.repeat(1001),
      },
    );
    expect(errorOf(long.body.errors).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errors: [{ path: 'reason' }],
    });
  });

  it('answers an unexpected failure with INTERNAL_SERVER_ERROR, without its message or a stack trace', async () => {
    const spy = jest
      .spyOn(QueryBus.prototype, 'execute')
      .mockRejectedValueOnce(new Error('secret internals'));
    try {
      const { body } = await app.graphql(`{ definitions { name } }`);
      const error = errorOf(body.errors);
      expect(error).toEqual({
        message: 'an unexpected error occurred',
        locations: [{ line: 1, column: 3 }],
        path: ['definitions'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(body)).not.toMatch(/secret|stacktrace|\bat .*\.js/);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a subscription over HTTP, pointing at graphql-ws, before any resolver', async () => {
    const spy = jest.spyOn(QueryBus.prototype, 'execute');
    try {
      const { status, body } = await app.graphql(
        `subscription { runUpdated(runId: "00000000-0000-4000-8000-000000000000") { id } }`,
      );
      expect(status).toBe(400);
      expect(errorOf(body.errors)).toMatchObject({
        message: expect.stringContaining('graphql-ws'),
        extensions: { code: 'BAD_REQUEST' },
      });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps GraphQL errors of its own (syntax, unknown fields, variables) with their codes, without stacks', async () => {
    const syntax = await app.graphql(`{ runs { `);
    expect(errorOf(syntax.body.errors).extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknown = await app.graphql(`{ runs { items { nope } } }`);
    expect(errorOf(unknown.body.errors).extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variables = await app.graphql(`query ($n: Int) { runs(first: $n) { nextCursor } }`, { n: 'ten' });
    expect(errorOf(variables.body.errors).extensions?.code).toBe('BAD_USER_INPUT');
    for (const response of [syntax, unknown, variables]) {
      expect(JSON.stringify(response.body)).not.toContain('stacktrace');
    }
  });
});
