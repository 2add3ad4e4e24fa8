import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { definition, FakeApi, json, run, RUN_ID, runSummary } from './support/cli-harness.js';

/** What each command sends: method, path, query, body and the connection headers. */
const api = new FakeApi();
let dir: string;

const YAML_DEFINITION = `# the order saga, in YAML
name: order-saga
description: reserve, charge
tasks:
  - key: reserve
    type: echo
  - key: charge
    type: http
    dependsOn: [reserve]
    retry:
      maxAttempts: 3
`;

beforeAll(async () => {
  await api.start();
  dir = await mkdtemp(join(tmpdir(), 'sagaflow-cli-requests-'));
  await writeFile(join(dir, 'order.json'), JSON.stringify({ orderId: 'o-1', amount: 25, lines: [1, 2] }));
  await writeFile(join(dir, 'order.yaml'), 'orderId: o-2\namount: 30\n');
  await writeFile(join(dir, 'definition.yaml'), YAML_DEFINITION);
  await writeFile(join(dir, 'definition.yml'), YAML_DEFINITION);
  await writeFile(join(dir, 'definition.json'), JSON.stringify({ name: 'order-saga', tasks: [] }));
});
afterAll(async () => {
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  api.reset();
  api.on('POST /v1/runs', json(run({ status: 'PENDING' }), 201));
  api.on('GET /v1/runs', json({ items: [], nextCursor: null }));
  api.on('POST /v1/definitions', json(definition(), 201));
  api.on('POST /v1/definitions/validate', json({ valid: true, errors: [], plan: null }));
  api.on('GET /v1/definitions', json({ items: [] }));
  api.on('POST /v1/api-keys', json(createdKey, 201));
  api.on('GET /v1/api-keys', json({ items: [] }));
});

const createdKey = {
  id: 'key-1',
  name: 'ci',
  roles: ['viewer', 'operator'],
  namespaces: ['a', 'b'],
  expiresAt: null,
  rateLimit: null,
  createdAt: '2026-12-04T18:00:00.000Z',
  lastUsedAt: null,
  key: 'sfk_secret',
};

describe('runs start', () => {
  it('sends the definition, --input, --idempotency-key and --priority as the body', async () => {
    const result = await api.cli([
      'runs',
      'start',
      'name',
      '--input',
      '{"a":1}',
      '--idempotency-key',
      'k',
      '--priority',
      '3',
    ]);
    expect(result.code).toBe(0);
    const request = api.only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/runs');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({ definition: 'name', input: { a: 1 }, idempotencyKey: 'k', priority: 3 });
    expect(result.stdout).toBe(`started run ${RUN_ID} (PENDING)\n`);
  });

  it('sends --version as a number and leaves out what was not given', async () => {
    await api.cli(['runs', 'start', 'order-saga', '--version', '2']);
    expect(api.only().body).toEqual({ definition: 'order-saga', version: 2 });
  });

  it('reads --input @file.json relative to the working directory', async () => {
    await api.cli(['runs', 'start', 'order-saga', '--input', '@order.json'], { cwd: dir });
    expect(api.only().body).toEqual({
      definition: 'order-saga',
      input: { orderId: 'o-1', amount: 25, lines: [1, 2] },
    });
  });

  it('reads --input @file.yaml as YAML, and an absolute path from anywhere', async () => {
    await api.cli(['runs', 'start', 'order-saga', '--input', `@${join(dir, 'order.yaml')}`], {
      cwd: tmpdir(),
    });
    expect(api.only().body).toEqual({ definition: 'order-saga', input: { orderId: 'o-2', amount: 30 } });
  });

  it('says "already started" when the API answers 200 for an idempotency key it knows', async () => {
    api.on('POST /v1/runs', json(run({ status: 'RUNNING' }), 200));
    const result = await api.cli(['runs', 'start', 'order-saga', '--idempotency-key', 'k']);
    expect(result.stdout).toBe(`already started run ${RUN_ID} (RUNNING)\n`);
  });
});

describe('definitions register and validate', () => {
  it.each(['definition.yaml', 'definition.yml'])('reads %s as YAML and posts it', async (file) => {
    const result = await api.cli(['definitions', 'register', file], { cwd: dir });
    expect(result.code).toBe(0);
    const request = api.only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/definitions');
    expect(request.body).toEqual({
      name: 'order-saga',
      description: 'reserve, charge',
      tasks: [
        { key: 'reserve', type: 'echo' },
        { key: 'charge', type: 'http', dependsOn: ['reserve'], retry: { maxAttempts: 3 } },
      ],
    });
    expect(result.stdout).toBe('registered order-saga version 1\n');
  });

  it('posts a JSON file as it is, and says when it was already registered', async () => {
    api.on('POST /v1/definitions', json(definition({ version: 4 }), 200));
    const result = await api.cli(['definitions', 'register', 'definition.json'], { cwd: dir });
    expect(api.only().body).toEqual({ name: 'order-saga', tasks: [] });
    expect(result.stdout).toBe('order-saga version 4 is already registered, identical\n');
  });

  it('validate posts to /v1/definitions/validate', async () => {
    await api.cli(['definitions', 'validate', 'definition.yaml'], { cwd: dir });
    const request = api.only();
    expect([request.method, request.path]).toEqual(['POST', '/v1/definitions/validate']);
    expect((request.body as { name: string }).name).toBe('order-saga');
  });
});

describe('query strings and paths', () => {
  it('runs list --definition d --status failed --limit 5 sends status=FAILED', async () => {
    const result = await api.cli(['runs', 'list', '--definition', 'd', '--status', 'failed', '--limit', '5']);
    expect(result.code).toBe(0);
    const request = api.only();
    expect([request.method, request.path]).toEqual(['GET', '/v1/runs']);
    expect(request.query).toEqual({ definition: 'd', status: 'FAILED', limit: '5' });
  });

  it('runs list without options sends no query, and --cursor passes it back', async () => {
    await api.cli(['runs', 'list']);
    await api.cli(['runs', 'list', '--cursor', 'abc=']);
    expect(api.requests.map((request) => request.query)).toEqual([{}, { cursor: 'abc=' }]);
  });

  it('events sends --after and --limit', async () => {
    api.on(`GET /v1/runs/${RUN_ID}/events`, json({ items: [], nextCursor: null }));
    await api.cli(['events', RUN_ID, '--after', '7', '--limit', '20']);
    expect(api.only().query).toEqual({ after: '7', limit: '20' });
  });

  it('dlq list sends --queue, --limit and --cursor', async () => {
    api.on('GET /v1/dead-letters', json({ items: [], nextCursor: null }));
    await api.cli(['dlq', 'list', '--queue', 'sagaflow.tasks.http', '--limit', '3', '--cursor', 'c1']);
    expect(api.only().query).toEqual({ queue: 'sagaflow.tasks.http', limit: '3', cursor: 'c1' });
  });

  it('encodes names and ids as one path segment', async () => {
    api.on('GET /v1/definitions/a%2Fb%20c', json(definition({ name: 'a/b c' })));
    const result = await api.cli(['definitions', 'show', 'a/b c']);
    expect(result.code).toBe(0);
    expect(api.only().path).toBe('/v1/definitions/a%2Fb%20c');
  });

  it.each([
    [['definitions', 'list'], 'GET', '/v1/definitions', undefined],
    [
      ['definitions', 'show', 'order-saga', '--version', '2'],
      'GET',
      '/v1/definitions/order-saga/versions/2',
      undefined,
    ],
    [['runs', 'show', RUN_ID], 'GET', `/v1/runs/${RUN_ID}`, undefined],
    [['runs', 'cancel', RUN_ID], 'POST', `/v1/runs/${RUN_ID}/cancel`, {}],
    [
      ['runs', 'cancel', RUN_ID, '--reason', 'customer'],
      'POST',
      `/v1/runs/${RUN_ID}/cancel`,
      { reason: 'customer' },
    ],
    [['runs', 'retry', RUN_ID], 'POST', `/v1/runs/${RUN_ID}/retry`, {}],
    [['dlq', 'show', 'dl-1'], 'GET', '/v1/dead-letters/dl-1', undefined],
    [['dlq', 'replay', 'dl-1'], 'POST', '/v1/dead-letters/dl-1/replay', undefined],
    [['dlq', 'purge', 'dl-1'], 'DELETE', '/v1/dead-letters/dl-1', undefined],
    [['api-keys', 'list'], 'GET', '/v1/api-keys', undefined],
    [['api-keys', 'revoke', 'key-1'], 'DELETE', '/v1/api-keys/key-1', undefined],
  ])('%j → %s %s', async (argv, method, path, body) => {
    await api.cli([...argv, '--json']);
    const request = api.only();
    expect([request.method, request.path, request.body]).toEqual([method, path, body]);
    expect(request.headers.accept).toBe('application/json');
  });
});

describe('the connection: --api-key, --namespace, --url and their variables', () => {
  it('sends no credential and no namespace when none is given', async () => {
    await api.cli(['runs', 'list']);
    const { headers } = api.only();
    expect(headers.authorization).toBeUndefined();
    expect(headers['sagaflow-namespace']).toBeUndefined();
  });

  it('takes them from the options', async () => {
    await api.cli(['runs', 'list', '--api-key', 'sfk_opt', '--namespace', 'team-a']);
    const { headers } = api.only();
    expect(headers.authorization).toBe('ApiKey sfk_opt');
    expect(headers['sagaflow-namespace']).toBe('team-a');
  });

  it('takes them from SAGAFLOW_API_KEY and SAGAFLOW_NAMESPACE', async () => {
    await api.cli(['runs', 'list'], { env: { SAGAFLOW_API_KEY: 'sfk_env', SAGAFLOW_NAMESPACE: 'team-env' } });
    const { headers } = api.only();
    expect(headers.authorization).toBe('ApiKey sfk_env');
    expect(headers['sagaflow-namespace']).toBe('team-env');
  });

  it('the options win over the variables', async () => {
    await api.cli(['runs', 'list', '--api-key', 'sfk_opt', '--namespace', 'team-opt'], {
      env: { SAGAFLOW_API_KEY: 'sfk_env', SAGAFLOW_NAMESPACE: 'team-env' },
    });
    const { headers } = api.only();
    expect(headers.authorization).toBe('ApiKey sfk_opt');
    expect(headers['sagaflow-namespace']).toBe('team-opt');
  });

  it('empty variables count as unset', async () => {
    await api.cli(['runs', 'list'], { env: { SAGAFLOW_API_KEY: '', SAGAFLOW_NAMESPACE: '' } });
    const { headers } = api.only();
    expect(headers.authorization).toBeUndefined();
    expect(headers['sagaflow-namespace']).toBeUndefined();
  });

  it('SAGAFLOW_URL says where the API is; --url wins over it', async () => {
    const viaEnv = await api.cli(['runs', 'list']);
    expect(viaEnv.code).toBe(0);
    const viaOption = await api.cli(['runs', 'list', '--url', api.url], {
      env: { SAGAFLOW_URL: 'http://127.0.0.1:9/' },
    });
    expect(viaOption.code).toBe(0);
    expect(api.requests).toHaveLength(2);
  });

  it('a --url with a trailing slash reaches the same paths', async () => {
    await api.cli(['runs', 'list', '--url', `${api.url}/`]);
    expect(api.only().path).toBe('/v1/runs');
  });
});

describe('api-keys create', () => {
  it('sends roles and granted namespaces as lists, and no namespace header from --namespace', async () => {
    const result = await api.cli([
      'api-keys',
      'create',
      '--name',
      'n',
      '--role',
      'viewer',
      '--role',
      'operator',
      '--namespace',
      'a,b',
    ]);
    expect(result.code).toBe(0);
    const request = api.only();
    expect([request.method, request.path]).toEqual(['POST', '/v1/api-keys']);
    expect(request.body).toEqual({ name: 'n', roles: ['viewer', 'operator'], namespaces: ['a', 'b'] });
    expect(request.headers['sagaflow-namespace']).toBeUndefined();
  });

  it('is created in SAGAFLOW_NAMESPACE, whatever --namespace grants', async () => {
    await api.cli(['api-keys', 'create', '--name', 'n', '--role', 'admin', '--namespace', '*'], {
      env: { SAGAFLOW_NAMESPACE: 'home', SAGAFLOW_API_KEY: 'sfk_admin' },
    });
    const request = api.only();
    expect(request.headers['sagaflow-namespace']).toBe('home');
    expect(request.headers.authorization).toBe('ApiKey sfk_admin');
    expect(request.body).toEqual({ name: 'n', roles: ['admin'], namespaces: ['*'] });
  });

  it('takes comma-separated and space-separated roles, --expires-at and --rate-limit', async () => {
    await api.cli([
      'api-keys',
      'create',
      '--name',
      'ci',
      '--role',
      'viewer,operator',
      'worker',
      '--expires-at',
      '2027-01-01T00:00:00Z',
      '--rate-limit',
      '100/1m',
    ]);
    expect(api.only().body).toEqual({
      name: 'ci',
      roles: ['viewer', 'operator', 'worker'],
      expiresAt: '2027-01-01T00:00:00Z',
      rateLimit: '100/1m',
    });
  });

  it('prints the secret once with a warning to keep it', async () => {
    const result = await api.cli(['api-keys', 'create', '--name', 'ci', '--role', 'viewer']);
    expect(result.stdout).toContain('key:        sfk_secret\n');
    expect(result.stdout).toContain('expires:    never\n');
    expect(result.stdout).toMatch(/the key is shown this once: keep it now\n$/);
  });
});

describe('summaries as the API sends them', () => {
  it('runs list shows the rows it was given', async () => {
    api.on('GET /v1/runs', json({ items: [runSummary()], nextCursor: null }));
    const result = await api.cli(['runs', 'list']);
    expect(result.stdout).toContain(RUN_ID);
    expect(result.stdout).toContain('order-saga v1');
    expect(result.stdout).toContain('charge: card declined');
    expect(result.stdout).not.toContain('more:');
  });
});
