import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ANSI, definition, FakeApi, json, problem, run, RUN_ID, runSummary } from './support/cli-harness.js';

/** What the commands print: `--json` documents, human tables, colour, and server text made safe. */
const api = new FakeApi();
beforeAll(() => api.start());
afterAll(() => api.stop());
beforeEach(() => api.reset());

const deadLetter = {
  id: 'dl-1',
  queue: 'sagaflow.tasks.http',
  reason: 'rejected',
  deadAt: '2026-12-04T19:00:05.000Z',
  runId: RUN_ID,
  taskKey: 'charge',
  attempt: 3,
  messageId: 'm-1',
  headers: { 'x-death': [{ count: 1 }] },
  bodyEncoding: 'json',
  body: { runId: RUN_ID, taskKey: 'charge' },
};

const runList = { items: [runSummary(), runSummary({ status: 'COMPLETED', error: null })], nextCursor: null };

describe('--json prints exactly what the API answered', () => {
  const cases: [argv: string[], route: string, body: unknown][] = [
    [['runs', 'list'], 'GET /v1/runs', { ...runList, nextCursor: 'c2' }],
    [['runs', 'show', RUN_ID], `GET /v1/runs/${RUN_ID}`, run()],
    [['runs', 'start', 'order-saga'], 'POST /v1/runs', run({ status: 'PENDING' })],
    [['runs', 'cancel', RUN_ID], `POST /v1/runs/${RUN_ID}/cancel`, run({ status: 'CANCELLING' })],
    [['runs', 'retry', RUN_ID], `POST /v1/runs/${RUN_ID}/retry`, run({ status: 'RUNNING' })],
    [['definitions', 'list'], 'GET /v1/definitions', { items: [definition()] }],
    [['definitions', 'show', 'order-saga'], 'GET /v1/definitions/order-saga', definition()],
    [['events', RUN_ID], `GET /v1/runs/${RUN_ID}/events`, { items: [], nextCursor: null }],
    [['dlq', 'list'], 'GET /v1/dead-letters', { items: [deadLetter], nextCursor: null }],
    [['dlq', 'show', 'dl-1'], 'GET /v1/dead-letters/dl-1', deadLetter],
    [['api-keys', 'list'], 'GET /v1/api-keys', { items: [] }],
  ];

  it.each(cases)('%j', async (argv, route, body) => {
    api.on(route, json(body));
    const result = await api.cli([...argv, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(body);
    expect(result.stdout.endsWith('}\n')).toBe(true);
  });

  it('a 204 answer prints null', async () => {
    api.on('POST /v1/dead-letters/dl-1/replay', { status: 204 });
    const result = await api.cli(['dlq', 'replay', 'dl-1', '--json']);
    expect(result).toMatchObject({ code: 0, stdout: 'null\n' });
  });

  it('whatever JSON the API sends comes out as one document equal to it, never coloured', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        api.on(`GET /v1/runs/${RUN_ID}`, json(body));
        const result = await api.cli(['runs', 'show', RUN_ID, '--json'], { tty: true });
        expect(result.code).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(body)));
        expect(result.stdout).not.toMatch(ANSI);
      }),
      { numRuns: 40 },
    );
  });
});

describe('human output', () => {
  it('runs list: a borderless table, a row per run', async () => {
    api.on('GET /v1/runs', json(runList));
    const { stdout } = await api.cli(['runs', 'list']);
    const rows = stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^ID {2,}STATUS {2,}DEFINITION {2,}CREATED {2,}TIME {2}ERROR$/);
    expect(rows[1]).toMatch(
      new RegExp(`^${RUN_ID} {2}FAILED {5}order-saga v1 .* 4\\.2s {2}charge: card declined$`),
    );
    expect(rows[2]).toMatch(/COMPLETED {2}order-saga v1 .* {2}-$/);
  });

  it('runs list prints `more: --cursor X` when there is a next page', async () => {
    api.on('GET /v1/runs', json({ ...runList, nextCursor: 'eyJpZCI6Mn0' }));
    const { stdout } = await api.cli(['runs', 'list']);
    expect(stdout.endsWith('\nmore: --cursor eyJpZCI6Mn0\n')).toBe(true);
  });

  it('an empty list says so', async () => {
    api.on('GET /v1/runs', json({ items: [], nextCursor: null }));
    api.on('GET /v1/api-keys', json({ items: [] }));
    expect((await api.cli(['runs', 'list'])).stdout).toBe('no runs\n');
    expect((await api.cli(['api-keys', 'list'])).stdout).toBe('no API keys\n');
  });

  it('dlq list and events print their next page too', async () => {
    api.on('GET /v1/dead-letters', json({ items: [deadLetter], nextCursor: 'dlc' }));
    api.on(`GET /v1/runs/${RUN_ID}/events`, {
      status: 200,
      body: {
        items: [
          {
            seq: 1,
            type: 'RunStarted',
            taskKey: null,
            attempt: null,
            at: '2026-12-04T19:00:00.000Z',
            data: {},
          },
        ],
        nextCursor: '1',
      },
    });
    expect((await api.cli(['dlq', 'list'])).stdout).toMatch(/\nmore: --cursor dlc\n$/);
    expect((await api.cli(['events', RUN_ID])).stdout).toMatch(/RunStarted[^\n]*\nmore: --after 1\n$/);
  });

  it('runs show: the fields, then a task table', async () => {
    api.on(`GET /v1/runs/${RUN_ID}`, json(run()));
    const { stdout } = await api.cli(['runs', 'show', RUN_ID]);
    expect(stdout).toContain(`run:        ${RUN_ID}\n`);
    expect(stdout).toContain('status:     FAILED\n');
    expect(stdout).toContain('error:      charge: card declined\n');
    expect(stdout).toMatch(/\nreserve +echo +COMPENSATED +1 +120ms +COMPLETED +-\n/);
    expect(stdout).toMatch(/\ncharge +http +FAILED +3 +3\.6s +- +card declined\n$/);
  });

  it('dlq show prints the headers and the body', async () => {
    api.on('GET /v1/dead-letters/dl-1', json(deadLetter));
    const { stdout } = await api.cli(['dlq', 'show', 'dl-1']);
    expect(stdout).toContain('queue:      sagaflow.tasks.http\n');
    expect(stdout).toContain('headers:\n  {\n    "x-death": [');
    expect(stdout).toContain(`body (json):\n  {\n    "runId": "${RUN_ID}",`);
  });

  it('definitions show: the fields with "-" for what is missing, then the tasks', async () => {
    api.on('GET /v1/definitions/order-saga', json(definition({ description: null })));
    const { stdout } = await api.cli(['definitions', 'show', 'order-saga']);
    expect(stdout).toContain('description: -\n');
    expect(stdout).toMatch(/\nreserve +echo +- +3 +30\.0s +echo\n$/);
  });
});

describe('colour', () => {
  beforeEach(() => api.on('GET /v1/runs', json({ ...runList, nextCursor: 'c' })));

  it('none when stdout is not a terminal', async () => {
    const { stdout } = await api.cli(['runs', 'list']);
    expect(stdout).toContain('FAILED');
    expect(stdout).not.toMatch(ANSI);
  });

  it('on a terminal: bold headers, the status coloured, the next-page hint dimmed', async () => {
    const { stdout } = await api.cli(['runs', 'list'], { tty: true });
    expect(stdout).toContain('\u001b[1mSTATUS\u001b[22m');
    expect(stdout).toContain('\u001b[31mFAILED\u001b[39m');
    expect(stdout).toContain('\u001b[32mCOMPLETED\u001b[39m');
    expect(stdout).toContain('\u001b[2mmore: --cursor c\u001b[22m');
  });

  it('the columns line up on a terminal as they do without one', async () => {
    const plain = (await api.cli(['runs', 'list'])).stdout;
    const coloured = (await api.cli(['runs', 'list'], { tty: true })).stdout;
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  it.each([
    ['NO_COLOR=1', [], { NO_COLOR: '1' }],
    ['NO_COLOR=true', [], { NO_COLOR: 'true' }],
    ['--no-color', ['--no-color'], {}],
  ])('none on a terminal with %s', async (_label, extra, env) => {
    const { stdout, code } = await api.cli(['runs', 'list', ...extra], { tty: true, env });
    expect(code).toBe(0);
    expect(stdout).toContain('FAILED');
    expect(stdout).not.toMatch(ANSI);
  });

  it('an empty NO_COLOR does not turn colour off (no-color.org)', async () => {
    const { stdout } = await api.cli(['runs', 'list'], { tty: true, env: { NO_COLOR: '' } });
    expect(stdout).toMatch(ANSI);
  });
});

describe('server text is printed without its control characters', () => {
  const hostile = 'boom\u001b]0;owned\u0007\u001b[2J\u001b[31m red\u009b1m\nsecond line';
  const cleaned = 'boom\ufffd]0;owned\ufffd\ufffd[2J\ufffd[31m red\ufffd1m second line';

  it.each([false, true])('runs show and runs list (terminal: %s)', async (tty) => {
    const hostileRun = run({ error: { taskKey: 'charge', message: hostile } });
    api.on(`GET /v1/runs/${RUN_ID}`, json(hostileRun));
    api.on(
      'GET /v1/runs',
      json({ items: [runSummary({ error: { taskKey: 'charge', message: hostile } })], nextCursor: null }),
    );
    for (const argv of [
      ['runs', 'show', RUN_ID],
      ['runs', 'list'],
    ]) {
      const { stdout } = await api.cli(argv, { tty });
      expect(stdout).toContain(`charge: ${cleaned}`);
      expect(stdout).not.toContain('\u001b]');
      expect(stdout).not.toContain('\u001b[2J');
      expect(stdout).not.toContain('\u0007');
      expect(stdout).not.toContain('\u009b');
      expect(stdout).not.toContain('\nsecond line');
      if (!tty) expect(stdout).not.toMatch(ANSI);
    }
  });

  it('a task error in the task table', async () => {
    const base = run();
    const tasks = (base.tasks as Record<string, unknown>[]).map((task) =>
      task.key === 'charge' ? { ...task, error: { message: hostile, code: 'fatal' } } : task,
    );
    api.on(`GET /v1/runs/${RUN_ID}`, json({ ...base, tasks }));
    const { stdout } = await api.cli(['runs', 'show', RUN_ID]);
    expect(stdout).toContain(cleaned);
    expect(stdout).not.toMatch(ANSI);
  });

  it('a warning of definitions register', async () => {
    api.on(
      'POST /v1/definitions',
      json({ ...definition(), warnings: [{ path: 'tasks[0].type', message: hostile }] }, 201),
    );
    const file = join(tmpdir(), `sagaflow-cli-warning-${process.pid}.json`);
    writeFileSync(file, '{}');
    const { stdout, code } = await api.cli(['definitions', 'register', file]);
    rmSync(file, { force: true });
    expect(code).toBe(0);
    expect(stdout).toContain(`warning: tasks[0].type: ${cleaned}`);
    expect(stdout).not.toMatch(ANSI);
  });

  it('a problem detail on stderr', async () => {
    api.on(`GET /v1/runs/${RUN_ID}`, problem(409, { status: 409, title: 'Conflict', detail: hostile }));
    const { stderr, code } = await api.cli(['runs', 'show', RUN_ID]);
    expect(code).toBe(1);
    expect(stderr).toBe(`sagaflow: ${cleaned} (HTTP 409)\n`);
  });

  it('a dead letter body that is text: its lines indented, each made printable', async () => {
    api.on('GET /v1/dead-letters/dl-1', json({ ...deadLetter, bodyEncoding: 'base64', body: hostile }));
    const { stdout } = await api.cli(['dlq', 'show', 'dl-1']);
    expect(stdout).toContain(`body (base64):\n  ${cleaned.replace(' second line', '\n  second line')}\n`);
    expect(stdout).not.toMatch(ANSI);
  });
});
