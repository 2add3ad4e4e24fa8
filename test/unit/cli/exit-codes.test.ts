import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RUN_STATUSES } from '../../../src/domain/run/run-status.js';
import { cli, FakeApi, json, problem, RUN_ID, unusedUrl } from './support/cli-harness.js';

/** docs of program.ts: 0 ok, 1 the API or a file said no, 2 the command line is wrong. */
const api = new FakeApi();
let dir: string;

beforeAll(async () => {
  await api.start();
  dir = await mkdtemp(join(tmpdir(), 'sagaflow-cli-exit-'));
  await writeFile(join(dir, 'broken.json'), '{"name": "order-saga",');
  await writeFile(join(dir, 'broken.yaml'), 'name: [order-saga\ntasks: {');
  await writeFile(join(dir, 'valid.json'), JSON.stringify({ name: 'order-saga', tasks: [] }));
});
afterAll(async () => {
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => api.reset());

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('usage errors exit 2', () => {
  it('no arguments: the program help on stderr, nothing on stdout', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: sagaflow');
    expect(result.stderr).toContain('Examples:');
  });

  it('a command group without its subcommand shows its help on stderr', async () => {
    const result = await cli(['runs']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: sagaflow runs');
  });

  it('an unknown command', async () => {
    const result = await cli(['rnus', 'list']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sagaflow: unknown command 'rnus'/);
    expect(result.stderr).toContain('runs');
  });

  it('an unknown option', async () => {
    const result = await api.cli(['runs', 'list', '--colour']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sagaflow: unknown option '--colour'/);
    expect(api.requests).toHaveLength(0);
  });

  it('a missing argument', async () => {
    const result = await api.cli(['runs', 'show']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sagaflow: missing required argument 'id'/);
  });

  it('a missing required option', async () => {
    const result = await api.cli(['api-keys', 'create', '--name', 'ci']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--role <role...>' not specified");
  });

  it.each([
    [['runs', 'list', '--limit', '0'], '--limit'],
    [['runs', 'list', '--limit', '1001'], '--limit'],
    [['runs', 'list', '--limit', 'ten'], '--limit'],
    [['runs', 'list', '--limit', '2.5'], '--limit'],
    [['events', RUN_ID, '--limit', '-1'], '--limit'],
    [['dlq', 'list', '--limit', '5000'], '--limit'],
    [['runs', 'list', '--status', 'DONE'], '--status'],
    [['runs', 'list', '--status', ''], '--status'],
    [['runs', 'start', 'order-saga', '--priority', '10'], '--priority'],
    [['runs', 'start', 'order-saga', '--priority', 'high'], '--priority'],
    [['definitions', 'show', 'order-saga', '--version', '0'], '--version'],
  ])('%j is refused naming %s, before any request', async (argv, option) => {
    const result = await api.cli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sagaflow: option '/);
    expect(result.stderr).toContain(option);
    expect(api.requests).toHaveLength(0);
  });

  it('runs list --limit n: sent when 1 ≤ n ≤ 1000 (exit 0), refused otherwise (exit 2, nothing sent)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -20, max: 1_020 }), async (n) => {
        api.reset();
        api.on('GET /v1/runs', json({ items: [], nextCursor: null }));
        const result = await api.cli(['runs', 'list', '--limit', String(n)]);
        if (n >= 1 && n <= 1_000) {
          expect(result.code).toBe(0);
          expect(api.only().query).toEqual({ limit: String(n) });
        } else {
          expect(result.code).toBe(2);
          expect(result.stderr).toContain('must be a whole number from 1 to 1000');
          expect(api.requests).toHaveLength(0);
        }
      }),
      { numRuns: 60, examples: [[0], [1], [1_000], [1_001]] },
    );
  });

  it('runs list --status: any case of a run status is sent upper-cased; anything else is refused', async () => {
    const statuses: readonly string[] = RUN_STATUSES;
    const casing = fc
      .tuple(fc.constantFrom(...statuses), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }))
      .map(([status, upper]) =>
        [...status].map((char, i) => (upper[i] ? char : char.toLowerCase())).join(''),
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(casing, fc.string()), async (value) => {
        api.reset();
        api.on('GET /v1/runs', json({ items: [], nextCursor: null }));
        const result = await api.cli(['runs', 'list', '--status', value]);
        if (statuses.includes(value.toUpperCase())) {
          expect(result.code).toBe(0);
          expect(api.only().query).toEqual({ status: value.toUpperCase() });
        } else {
          expect(result.code).toBe(2);
          expect(api.requests).toHaveLength(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a --url that is not an http(s) URL', async () => {
    for (const url of ['not a url', 'ftp://127.0.0.1/', 'file:///tmp/x']) {
      const result = await cli(['runs', 'list', '--url', url]);
      expect(result.code).toBe(2);
      expect(lines(result.stderr)).toEqual([
        `sagaflow: --url (or SAGAFLOW_URL) is not an http(s) URL: ${url}`,
      ]);
    }
  });

  it('an empty SAGAFLOW_URL counts as unset, like the other variables', async () => {
    // The default URL is used: whatever answers there (most likely nothing), it is not a usage error.
    const result = await cli(['runs', 'list'], { env: { SAGAFLOW_URL: '' } });
    expect(result.code).not.toBe(2);
    expect(result.stderr).not.toContain('is not an http(s) URL');
  });

  it('a SAGAFLOW_URL that is not an http(s) URL', async () => {
    const result = await cli(['runs', 'list'], { env: { SAGAFLOW_URL: 'localhost:3000' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not an http(s) URL: localhost:3000');
  });

  it('--input that is not JSON', async () => {
    const result = await api.cli(['runs', 'start', 'order-saga', '--input', '{a:1}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^sagaflow: --input is not valid JSON \(.*\); pass JSON or @file\n$/);
    expect(api.requests).toHaveLength(0);
  });

  it('completion for a shell it does not know', async () => {
    const result = await cli(['completion', 'fish']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("'fish' is invalid");
  });
});

describe('the API says no: exit 1, one line on stderr', () => {
  it.each([404, 409, 422, 503])('a %i problem gives its detail and the status', async (status) => {
    api.on(
      `GET /v1/runs/${RUN_ID}`,
      problem(status, { status, title: 'Nope', detail: `run said ${status}` }),
    );
    const result = await api.cli(['runs', 'show', RUN_ID]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`sagaflow: run said ${status} (HTTP ${status})\n`);
  });

  it('a 404 carries the detail and "HTTP 404" on exactly one line', async () => {
    api.on(
      'GET /v1/definitions/nope',
      problem(404, { type: 'about:blank', status: 404, title: 'Not Found', detail: 'no definition nope' }),
    );
    const result = await api.cli(['definitions', 'show', 'nope']);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr).toContain('no definition nope');
    expect(result.stderr).toContain('HTTP 404');
  });

  it('a 400 with errors names each path: message', async () => {
    api.on(
      'POST /v1/runs',
      problem(400, {
        status: 400,
        title: 'Bad Request',
        detail: 'invalid: /priority, /input',
        errors: [
          { path: '/priority', message: 'must be <= 9' },
          { path: '/input', message: 'must be object' },
        ],
      }),
    );
    const result = await api.cli(['runs', 'start', 'order-saga']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'sagaflow: Bad Request (HTTP 400): /priority: must be <= 9; /input: must be object\n',
    );
  });

  it('an error answer that is not JSON gives the status line and its text', async () => {
    api.on('GET /v1/runs', { status: 502, body: undefined });
    const result = await api.cli(['runs', 'list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('sagaflow: Bad Gateway (HTTP 502)\n');
  });

  it('an unreachable API names the URL', async () => {
    const url = await unusedUrl();
    const result = await cli(['runs', 'list', '--url', url]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(`cannot reach the Sagaflow API at ${url}`);
    expect(result.stderr).toContain('set --url or SAGAFLOW_URL');
  });

  it('definitions validate of an invalid report exits 1 naming the issues', async () => {
    api.on('POST /v1/definitions/validate', {
      status: 200,
      body: {
        valid: false,
        errors: [{ path: '/tasks/0/dependsOn', message: 'unknown task ship' }],
        plan: null,
      },
    });
    const result = await api.cli(['definitions', 'validate', 'valid.json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'sagaflow: valid.json is not a valid definition: /tasks/0/dependsOn: unknown task ship\n',
    );
  });

  it('definitions validate --json of an invalid report prints it and still exits 1', async () => {
    const report = { valid: false, errors: [{ path: '/name', message: 'required' }], plan: null };
    api.on('POST /v1/definitions/validate', { status: 200, body: report });
    const result = await api.cli(['definitions', 'validate', 'valid.json', '--json'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual(report);
  });

  it('definitions validate of a valid report exits 0', async () => {
    api.on('POST /v1/definitions/validate', {
      status: 200,
      body: { valid: true, errors: [], plan: { levels: [['reserve']], compensation: [] } },
    });
    const result = await api.cli(['definitions', 'validate', 'valid.json'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('valid\n  level 1: reserve\n');
  });
});

describe('schedules are not in this version: exit 1', () => {
  it.each([
    ['list'],
    ['show', 'nightly'],
    ['create', 'nightly.yaml'],
    ['pause', 'nightly'],
    ['resume', 'nightly'],
    ['trigger', 'nightly'],
    ['delete', 'nightly'],
  ])('schedules %s', async (...argv) => {
    const result = await cli(['schedules', ...argv]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'sagaflow: schedules are not in this version of Sagaflow yet (docs/cli.md#schedules)\n',
    );
  });
});

describe('files that cannot be used: exit 1 naming the file, nothing sent', () => {
  it.each([
    [['definitions', 'register', 'missing.json'], 'cannot read missing.json: no such file'],
    [['definitions', 'validate', 'missing.yaml'], 'cannot read missing.yaml: no such file'],
    [['definitions', 'register', 'broken.json'], 'broken.json is not valid JSON: '],
    [['definitions', 'register', 'broken.yaml'], 'broken.yaml is not valid YAML: '],
    [['runs', 'start', 'order-saga', '--input', '@missing.json'], 'cannot read missing.json: no such file'],
    [['runs', 'start', 'order-saga', '--input', '@broken.json'], 'broken.json is not valid JSON: '],
  ])('%j', async (argv, message) => {
    const result = await api.cli(argv, { cwd: dir });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(`sagaflow: ${message}`);
    expect(api.requests).toHaveLength(0);
  });

  it('a directory where a file is expected', async () => {
    const result = await api.cli(['definitions', 'register', '.'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^sagaflow: cannot read \.: /);
  });
});

describe('success exits 0', () => {
  it('server starts the roles it is given', async () => {
    const result = await cli(['server', '--roles', 'worker,api']);
    expect(result.code).toBe(0);
    expect(result.started).toEqual([{ roles: 'worker,api' }]);
  });

  it('server without --roles leaves them to SAGAFLOW_ROLES', async () => {
    const result = await cli(['server']);
    expect(result.code).toBe(0);
    expect(result.started).toEqual([{}]);
  });
});
