import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { taskQueueName } from '../../../src/infrastructure/messaging/names.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { freePort } from '../../support/free-port.js';
import { ensureBuilt, FIXTURES, killAll, SagaflowChild, type ChildSpec } from '../support/processes.js';

/**
 * The `sagaflow` CLI as a user runs it: every command is a child process of the built bin
 * (`dist/src/cli.js`), talking to a Sagaflow of its own (an api process with auth on and an
 * admin key, and one process with the other roles), in a namespace of its own. Output goes to a
 * pipe, so it must carry no ANSI escape; exit codes are docs/cli.md#exit-codes.
 */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const CLI = resolve(ROOT, 'dist/src/cli.js');
const ADMIN_KEY = 'sf_e2e_cli_admin_key';
const NAMESPACE = 'cli-e2e';
const config = isolatedConfig('cli', ['api']);
const prefix = config.amqpPrefix!;
const children: SagaflowChild[] = [];
const work = mkdtempSync(join(tmpdir(), 'sagaflow-cli-e2e-'));
let url: string;
let connection: ChannelModel | null = null;
let channel: ConfirmChannel | null = null;

/* eslint-disable no-control-regex -- an escape sequence is what it looks for */
const ESCAPE = /\u001b/;
/* eslint-enable no-control-regex */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `sagaflow <args>` as a child with the admin key in the test namespace; `env` overrides
 * (undefined removes a variable), `input` is written to its stdin.
 */
function sagaflow(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string } = {},
): Promise<Outcome> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    SAGAFLOW_URL: url,
    SAGAFLOW_API_KEY: ADMIN_KEY,
    SAGAFLOW_NAMESPACE: NAMESPACE,
    ...options.env,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A command that must succeed: exit 0 and nothing on stderr, else the outcome in the message. */
async function ok(args: string[], options?: Parameters<typeof sagaflow>[1]): Promise<string> {
  const outcome = await sagaflow(args, options);
  expect({ args, ...outcome }).toMatchObject({ code: 0, stderr: '' });
  return outcome.stdout;
}

/** `--json` of a command that must succeed, parsed. */
async function json<T>(args: string[], options?: Parameters<typeof sagaflow>[1]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'], options)) as T;
}

/** Exactly one line on stderr (the CLI's failure contract); returns it. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

function file(name: string, content: unknown): string {
  writeFileSync(join(work, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return name;
}

/** The run id in `started run <id>`. */
function startedId(stdout: string): string {
  const match = new RegExp(`^started run (${UUID})`, 'm').exec(stdout);
  expect(match).not.toBeNull();
  return match![1]!;
}

/** The REST API directly, with the admin key, for polling state the CLI is not asked about. */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    headers: { 'x-api-key': ADMIN_KEY, 'sagaflow-namespace': NAMESPACE },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

interface RunJson {
  id: string;
  status: string;
  definition: { name: string; version: number | null };
  tasks: { key: string; status: string; attempts: number }[];
}

interface Letter {
  id: string;
  namespace: string | null;
  queue: string;
  messageId: string | null;
  runId: string | null;
  headers: Record<string, unknown>;
  bodyEncoding: string;
  body: unknown;
}

const SAGA = {
  name: 'cli-saga',
  description: 'reserve, charge, ship',
  tasks: [
    {
      key: 'reserve',
      type: 'echo',
      input: { order: '${input.order}' },
      compensation: { type: 'echo', input: { release: '${tasks.reserve.output.order}' } },
    },
    { key: 'charge', type: 'slow', dependsOn: ['reserve'], input: { mode: 'ok' } },
    { key: 'ship', type: 'noop', dependsOn: ['charge'] },
  ],
};

/** Fails at `charge` after `reserve` completed: `reserve` is compensated, the run COMPENSATED. */
const COMPENSATING = {
  name: 'cli-compensate',
  tasks: [
    { key: 'reserve', type: 'echo', input: { order: '${input.order}' }, compensation: { type: 'noop' } },
    { key: 'charge', type: 'slow', dependsOn: ['reserve'], input: { mode: 'fail' } },
    { key: 'ship', type: 'noop', dependsOn: ['charge'] },
  ],
};

/**
 * `charge` fails retryably on attempt 1 with a budget of one attempt: it fails for good, and as
 * the completed `prepare` has no compensation the run ends FAILED (docs/events.md#how-a-run-ends).
 * An operator retry gives a fresh budget: attempt 2 completes.
 */
const RETRYABLE = {
  name: 'cli-retry',
  tasks: [
    { key: 'prepare', type: 'noop' },
    {
      key: 'charge',
      type: 'slow',
      dependsOn: ['prepare'],
      input: { mode: 'flaky' },
      retry: { maxAttempts: 1 },
    },
    { key: 'ship', type: 'noop', dependsOn: ['charge'] },
  ],
};

beforeAll(async () => {
  ensureBuilt();
  const apiSpec = async (name: string): Promise<{ spec: ChildSpec; url: string }> => {
    const port = await freePort();
    const spec: ChildSpec = {
      name,
      roles: ['api'],
      config,
      instanceId: name,
      env: {
        PORT: String(port),
        SAGAFLOW_AUTH: 'on',
        SAGAFLOW_ADMIN_API_KEY: ADMIN_KEY,
        SAGAFLOW_RATE_LIMIT: 'off',
      },
    };
    return { spec, url: `http://127.0.0.1:${port}` };
  };
  const main = await apiSpec('cli-api');
  url = main.url;
  const engine: ChildSpec = {
    name: 'cli-engine',
    roles: ['relay', 'orchestrator', 'worker'],
    config,
    instanceId: 'cli-engine',
    handlers: [resolve(FIXTURES, 'slow-handlers.mjs')],
  };
  await Promise.all([main.spec, engine].map((spec) => SagaflowChild.start(spec, children)));
  connection = await connect('amqp://guest:guest@127.0.0.1:5672');
  channel = await connection.createConfirmChannel();
  for (const definition of [SAGA, COMPENSATING, RETRYABLE]) {
    const response = await fetch(`${url}/v1/definitions`, {
      method: 'POST',
      headers: {
        'x-api-key': ADMIN_KEY,
        'sagaflow-namespace': NAMESPACE,
        'content-type': 'application/json',
      },
      body: JSON.stringify(definition),
    });
    expect([200, 201]).toContain(response.status);
  }
}, 120_000);

afterAll(async () => {
  try {
    await connection?.close().catch(() => undefined);
    await killAll(children);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await cleanup(null, config, ['noop', 'echo', 'http', 'slow']);
  }
}, 60_000);

describe('sagaflow definitions', () => {
  it('registers a file (201, then already registered), lists and shows it, and --json prints the API document', async () => {
    const definition = {
      name: 'cli-order',
      tasks: [
        { key: 'reserve', type: 'echo', input: { order: '${input.order}' }, compensation: { type: 'noop' } },
        { key: 'ship', type: 'noop', dependsOn: ['reserve'] },
      ],
    };
    const path = file('order-definition.json', definition);
    expect((await ok(['definitions', 'register', path])).split('\n')[0]).toBe(
      'registered cli-order version 1',
    );
    expect((await ok(['definitions', 'register', path])).split('\n')[0]).toBe(
      'cli-order version 1 is already registered, identical',
    );
    // --json, the definition read from stdin: the API's document, defaults filled in.
    const registered = await json<{ name: string; version: number; tasks: { key: string }[] }>(
      ['definitions', 'register', '-'],
      { input: JSON.stringify({ ...definition, name: 'cli-order-json' }) },
    );
    expect(registered).toMatchObject({ name: 'cli-order-json', version: 1, namespace: NAMESPACE });
    expect(registered.tasks.map((task) => task.key)).toEqual(['reserve', 'ship']);
    expect(
      await json(['definitions', 'register', '-'], {
        input: JSON.stringify({ ...definition, name: 'cli-order-json' }),
      }),
    ).toMatchObject({ name: 'cli-order-json', version: 1 });

    const listed = await ok(['definitions', 'list']);
    expect(listed).not.toMatch(ESCAPE);
    expect(listed.split('\n')[0]).toMatch(/^NAME +VERSION +TASKS +CREATED +DESCRIPTION/);
    expect(listed).toMatch(/^cli-order +1 +2 /m);
    expect(listed).toMatch(/^cli-saga +1 +3 .* reserve, charge, ship/m);
    const page = await json<{ items: { name: string; version: number }[] }>(['definitions', 'list']);
    expect(page.items.map((item) => item.name)).toEqual(
      expect.arrayContaining(['cli-order', 'cli-order-json', 'cli-saga', 'cli-compensate', 'cli-retry']),
    );

    const shown = await ok(['definitions', 'show', 'cli-order']);
    expect(shown).not.toMatch(ESCAPE);
    expect(shown).toMatch(/^name: +cli-order$/m);
    expect(shown).toMatch(/^version: +1$/m);
    expect(shown).toMatch(/^TASK +TYPE +DEPENDS ON +ATTEMPTS +TIMEOUT +COMPENSATION/m);
    expect(shown).toMatch(/^reserve +echo +- +3 +5m00s +noop$/m);
    expect(shown).toMatch(/^ship +noop +reserve +3 +5m00s +-$/m);
    expect(await json(['definitions', 'show', 'cli-order', '--version', '1'])).toMatchObject({
      name: 'cli-order',
      version: 1,
      tasks: [{ key: 'reserve' }, { key: 'ship' }],
    });
    // An unknown definition is the API's 404, one line.
    const unknown = await sagaflow(['definitions', 'show', 'cli-nowhere']);
    expect(unknown.code).toBe(1);
    expect(oneLine(unknown.stderr)).toMatch(/^sagaflow: .*cli-nowhere.*\(HTTP 404\)$/);
  });

  it('validates a file: its plan when valid; exit 1 naming the field path on one line when not', async () => {
    const good = await ok(['definitions', 'validate', file('good.json', SAGA)]);
    expect(good.split('\n').slice(0, 4)).toEqual([
      'valid',
      '  level 1: reserve',
      '  level 2: charge',
      '  level 3: ship',
    ]);
    expect(good).toContain('  compensation order: reserve');

    const bad = file('bad.json', {
      name: 'cli-bad',
      tasks: [{ key: 'a', type: 'noop', retry: { maxAttempts: 0 } }],
    });
    const invalid = await sagaflow(['definitions', 'validate', bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(oneLine(invalid.stderr)).toMatch(
      /^sagaflow: bad\.json is not a valid definition: tasks\[0\]\.retry\.maxAttempts: /,
    );
    const report = await sagaflow(['definitions', 'validate', bad, '--json']);
    expect(report.code).toBe(1);
    expect(JSON.parse(report.stdout)).toMatchObject({
      valid: false,
      plan: null,
      errors: [{ path: 'tasks[0].retry.maxAttempts' }],
    });
    // Registering it is the API's 400, the field named too.
    const refused = await sagaflow(['definitions', 'register', bad]);
    expect(refused.code).toBe(1);
    expect(oneLine(refused.stderr)).toMatch(/\(HTTP 400\): tasks\[0\]\.retry\.maxAttempts: /);
    // A file that is not JSON is named before anything is sent.
    const garbled = await sagaflow(['definitions', 'validate', file('garbled.json', '{"name": ')]);
    expect(garbled.code).toBe(1);
    expect(oneLine(garbled.stderr)).toMatch(/^sagaflow: garbled\.json is not valid JSON: /);
  });
});

describe('sagaflow runs and events', () => {
  it('runs a saga end to end with --wait, then shows, watches, lists and reads its events', async () => {
    const input = file('order.json', { order: 'o-1' });
    const started = await ok(['runs', 'start', 'cli-saga', '--input', `@${input}`, '--wait']);
    const id = startedId(started);
    expect(started).not.toMatch(ESCAPE);
    expect(started).toMatch(new RegExp(`^run ${id} +cli-saga v1 +COMPLETED `, 'm'));
    for (const key of ['reserve', 'charge', 'ship'])
      expect(started).toMatch(new RegExp(`${key} +COMPLETED `));

    // --json --wait: only the final run.
    const waited = await json<RunJson>(['runs', 'start', 'cli-saga', '--input', '{"order":"o-2"}', '--wait']);
    expect(waited).toMatchObject({ status: 'COMPLETED', definition: { name: 'cli-saga', version: 1 } });
    expect(waited.id).not.toBe(id);

    // Without --wait: the run as created.
    const created = await ok(['runs', 'start', 'cli-saga', '--input', '{"order":"o-3"}']);
    expect(created).toMatch(new RegExp(`^started run ${UUID} \\((PENDING|RUNNING)\\)\\n$`));
    expect((await sagaflow(['runs', 'watch', startedId(created)])).code).toBe(0);

    const watched = await sagaflow(['runs', 'watch', id]);
    expect(watched).toMatchObject({ code: 0, stderr: '' });
    expect(watched.stdout).toMatch(new RegExp(`^run ${id} +cli-saga v1 +COMPLETED `, 'm'));
    expect(await json<RunJson>(['runs', 'watch', id])).toEqual(await json<RunJson>(['runs', 'show', id]));

    const shown = await ok(['runs', 'show', id]);
    expect(shown).not.toMatch(ESCAPE);
    expect(shown).toMatch(new RegExp(`^run: +${id}$`, 'm'));
    expect(shown).toMatch(/^definition: +cli-saga v1$/m);
    expect(shown).toMatch(/^status: +COMPLETED$/m);
    expect(shown).toMatch(new RegExp(`^namespace: +${NAMESPACE}$`, 'm'));
    expect(shown).toMatch(/^TASK +TYPE +STATUS +ATTEMPTS +TIME +COMPENSATION +ERROR/m);
    expect(shown).toMatch(/^reserve +echo +COMPLETED +1 /m);
    expect(shown).toMatch(/^charge +slow +COMPLETED +1 /m);
    expect(shown).toMatch(/^ship +noop +COMPLETED +1 /m);
    const run = await json<RunJson>(['runs', 'show', id]);
    expect(run).toMatchObject({ id, status: 'COMPLETED' });
    expect(run.tasks.map((task) => [task.key, task.status])).toEqual([
      ['reserve', 'COMPLETED'],
      ['charge', 'COMPLETED'],
      ['ship', 'COMPLETED'],
    ]);

    const events = await ok(['events', id]);
    expect(events).not.toMatch(ESCAPE);
    const rows = events.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^SEQ +AT +TYPE +TASK +ATTEMPT +DETAIL/);
    expect(rows[1]).toMatch(/^ *1 +\S+ +RunStarted /);
    expect(rows.at(-1)).toMatch(/ RunCompleted/);
    const page = await json<{ items: { seq: number; type: string }[]; nextCursor: unknown }>(['events', id]);
    expect(page.nextCursor).toBeNull();
    expect(page.items[0]).toMatchObject({ seq: 1, type: 'RunStarted' });
    expect(page.items.map((event) => event.seq)).toEqual(page.items.map((_, index) => index + 1));
    expect(page.items.at(-1)!.type).toBe('RunCompleted');
    const later = await json<{ items: { seq: number }[] }>(['events', id, '--after', '2', '--limit', '1']);
    expect(later.items.map((event) => event.seq)).toEqual([3]);

    const listed = await ok(['runs', 'list', '--definition', 'cli-saga']);
    expect(listed).not.toMatch(ESCAPE);
    expect(listed.split('\n')[0]).toMatch(/^ID +STATUS +DEFINITION +CREATED +TIME +ERROR/);
    expect(listed).toMatch(new RegExp(`^${id} +COMPLETED +cli-saga v1 `, 'm'));
  });

  it('exits 3 when a waited run compensates; watch of it exits 3; list --status COMPENSATED finds it', async () => {
    const started = await sagaflow([
      'runs',
      'start',
      'cli-compensate',
      '--input',
      '{"order":"o-9"}',
      '--wait',
    ]);
    expect(started).toMatchObject({ code: 3, stderr: '' });
    const id = startedId(started.stdout);
    expect(started.stdout).toMatch(new RegExp(`^run ${id} +cli-compensate v1 +COMPENSATED `, 'm'));
    expect(started.stdout).toMatch(/charge fails for good \(mode fail\)/);

    const waited = await sagaflow([
      'runs',
      'start',
      'cli-compensate',
      '--input',
      '{"order":"o-10"}',
      '--wait',
      '--json',
    ]);
    expect(waited.code).toBe(3);
    const waitedRun = JSON.parse(waited.stdout) as RunJson;
    expect(waitedRun.status).toBe('COMPENSATED');

    const watched = await sagaflow(['runs', 'watch', id]);
    expect(watched).toMatchObject({ code: 3, stderr: '' });
    expect(watched.stdout).toMatch(new RegExp(`^run ${id} +cli-compensate v1 +COMPENSATED `, 'm'));

    const shown = await ok(['runs', 'show', id]);
    expect(shown).toMatch(/^status: +COMPENSATED$/m);
    expect(shown).toMatch(/^error: +charge: charge fails for good \(mode fail\)$/m);
    expect(shown).toMatch(/^reserve +echo +COMPENSATED +1 .* COMPLETED/m);
    expect(shown).toMatch(/^charge +slow +FAILED +1 /m);
    expect(shown).toMatch(/^ship +noop +SKIPPED /m);

    const events = await json<{ items: { type: string }[] }>(['events', id]);
    expect(events.items.at(-1)!.type).toBe('RunCompensated');

    const page = await json<{ items: RunJson[] }>(['runs', 'list', '--status', 'COMPENSATED']);
    expect(page.items.map((run) => run.id)).toEqual(expect.arrayContaining([id, waitedRun.id]));
    expect(new Set(page.items.map((run) => run.status))).toEqual(new Set(['COMPENSATED']));
    // The status is read case-insensitively; --limit pages, the human list printing the cursor.
    const lower = await json<{ items: RunJson[]; nextCursor: string | null }>([
      'runs',
      'list',
      '--status',
      'compensated',
      '--limit',
      '1',
    ]);
    expect(lower.items).toHaveLength(1);
    expect(lower.nextCursor).not.toBeNull();
    const more = await ok(['runs', 'list', '--status', 'COMPENSATED', '--limit', '1']);
    expect(more).toMatch(/^more: --cursor \S+$/m);
  });

  it('retries a FAILED run: exit 0, and the run goes on to COMPLETED', async () => {
    // Started and retried through the same api process, which caches the runs it starts while
    // the orchestrator (another process) moves them on: the retry must decide on the run as
    // committed (test/integration/flows/operator-stale-cache.test.ts).
    const started = await sagaflow(['runs', 'start', 'cli-retry', '--wait']);
    expect(started).toMatchObject({ code: 3, stderr: '' });
    const id = startedId(started.stdout);
    expect(started.stdout).toMatch(new RegExp(`^run ${id} +cli-retry v1 +FAILED `, 'm'));
    const failed = await json<RunJson>(['runs', 'show', id]);
    expect(failed.status).toBe('FAILED');
    expect(failed.tasks.map((task) => [task.key, task.status])).toEqual([
      ['prepare', 'COMPLETED'],
      ['charge', 'FAILED'],
      ['ship', 'SKIPPED'],
    ]);
    expect((await sagaflow(['runs', 'list', '--status', 'FAILED', '--json'])).stdout).toContain(id);

    const retried = await ok(['runs', 'retry', id]);
    expect(retried).toMatch(new RegExp(`^retrying run ${id} \\((RUNNING|COMPLETED)\\)\\n$`));
    const watched = await sagaflow(['runs', 'watch', id]);
    expect(watched).toMatchObject({ code: 0, stderr: '' });
    expect(watched.stdout).toMatch(new RegExp(`^run ${id} +cli-retry v1 +COMPLETED `, 'm'));

    const run = await json<RunJson>(['runs', 'show', id]);
    expect(run.status).toBe('COMPLETED');
    expect(run.tasks.find((task) => task.key === 'charge')).toMatchObject({
      status: 'COMPLETED',
      attempts: 2,
    });
    const events = await json<{ items: { type: string }[] }>(['events', id]);
    expect(events.items.map((event) => event.type)).toEqual(
      expect.arrayContaining(['RunFailed', 'RunRetried', 'RunCompleted']),
    );
    expect(events.items.at(-1)!.type).toBe('RunCompleted');

    // A COMPLETED run cannot be retried: the API's 422, one line.
    const again = await sagaflow(['runs', 'retry', id]);
    expect(again.code).toBe(1);
    expect(oneLine(again.stderr)).toMatch(/^sagaflow: .*\(HTTP 422\)$/);
  });
});

describe('sagaflow dlq', () => {
  /** A message the noop worker cannot decode, naming a run of the test namespace: dead-lettered by the broker. */
  async function deadLetter(runId: string): Promise<Letter> {
    const messageId = `cli-garbage-${randomUUID()}`;
    await new Promise<void>((resolvePublish, reject) => {
      channel!.publish(
        '',
        taskQueueName(prefix, 'noop'),
        Buffer.from(JSON.stringify({ not: 'a task', messageId })),
        { persistent: true, messageId, headers: { 'x-run-id': runId } },
        (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolvePublish(),
      );
    });
    return findLetter((letter) => letter.messageId === messageId);
  }

  const findLetter = (match: (letter: Letter) => boolean): Promise<Letter> =>
    eventually(
      () => api<{ items: Letter[] }>('/v1/dead-letters?limit=1000'),
      (page) => page.items.some(match),
    ).then((page) => page.items.find(match)!);

  it('lists and shows a dead letter, replays it once (a second replay is 404), and purges one', async () => {
    const runId = startedId(await ok(['runs', 'start', 'cli-saga', '--input', '{"order":"dlq"}']));
    const letter = await deadLetter(runId);
    const queue = taskQueueName(prefix, 'noop');

    const listed = await ok(['dlq', 'list']);
    expect(listed).not.toMatch(ESCAPE);
    expect(listed.split('\n')[0]).toMatch(/^ID +QUEUE +DIED +RUN +TASK +REASON/);
    expect(listed).toMatch(
      new RegExp(`^${letter.id} +${queue.replaceAll('.', '\\.')} +\\S+ +${runId} `, 'm'),
    );
    const page = await json<{ items: Letter[]; nextCursor: string | null }>([
      'dlq',
      'list',
      '--queue',
      queue,
    ]);
    expect(page.items.find((item) => item.id === letter.id)).toMatchObject({
      queue,
      runId,
      namespace: NAMESPACE,
    });

    const shown = await json<Letter>(['dlq', 'show', letter.id]);
    expect(shown).toMatchObject({
      id: letter.id,
      queue,
      runId,
      namespace: NAMESPACE,
      reason: expect.stringMatching(/^rejected by its consumer/),
      bodyEncoding: 'json',
      body: { not: 'a task', messageId: letter.messageId },
    });
    const human = await ok(['dlq', 'show', letter.id]);
    expect(human).toMatch(new RegExp(`^queue: +${queue.replaceAll('.', '\\.')}$`, 'm'));
    expect(human).toMatch(/^body \(json\):$/m);

    expect(await ok(['dlq', 'replay', letter.id])).toBe(`replayed dead letter ${letter.id}\n`);
    const second = await sagaflow(['dlq', 'replay', letter.id]);
    expect(second).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(second.stderr)).toMatch(
      new RegExp(`^sagaflow: dead letter ${letter.id} not found \\(HTTP 404\\)$`),
    );

    // The replay went back to the noop queue, whose worker rejects it again: another letter, which
    // the admin purges for good.
    const again = await findLetter((item) => item.headers['x-sagaflow-replayed-from'] === letter.id);
    expect(again.id).not.toBe(letter.id);
    expect(await ok(['dlq', 'purge', again.id])).toBe(`deleted dead letter ${again.id}\n`);
    const gone = await sagaflow(['dlq', 'show', again.id]);
    expect(gone.code).toBe(1);
    expect(oneLine(gone.stderr)).toMatch(/\(HTTP 404\)$/);
    const purgedAgain = await sagaflow(['dlq', 'purge', again.id]);
    expect(purgedAgain.code).toBe(1);
    expect(oneLine(purgedAgain.stderr)).toMatch(/\(HTTP 404\)$/);
  });
});

describe('sagaflow api-keys', () => {
  it('creates a viewer key that may read but not cancel, lists it, revokes it, and the key is refused after', async () => {
    const created = await json<{
      id: string;
      key: string;
      name: string;
      roles: string[];
      namespaces: string[];
    }>(['api-keys', 'create', '--name', 'cli-viewer', '--role', 'viewer', '--namespace', NAMESPACE]);
    expect(created).toMatchObject({ name: 'cli-viewer', roles: ['viewer'], namespaces: [NAMESPACE] });
    expect(created.key).toMatch(/^sfk_/);
    const asViewer = { env: { SAGAFLOW_API_KEY: created.key } };
    const runId = startedId(await ok(['runs', 'start', 'cli-saga', '--input', '{"order":"keys"}']));

    const runs = await sagaflow(['runs', 'list', '--json'], asViewer);
    expect(runs).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(runs.stdout) as { items: RunJson[] }).items.map((run) => run.id)).toContain(runId);
    expect(await ok(['runs', 'show', runId], asViewer)).toMatch(new RegExp(`^run: +${runId}$`, 'm'));
    const cancel = await sagaflow(['runs', 'cancel', runId], asViewer);
    expect(cancel).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(cancel.stderr)).toMatch(/^sagaflow: .*\(HTTP 403\)$/);
    // Nor may a viewer create keys.
    const escalate = await sagaflow(['api-keys', 'create', '--name', 'x', '--role', 'admin'], asViewer);
    expect(escalate.code).toBe(1);
    expect(oneLine(escalate.stderr)).toMatch(/\(HTTP 403\)$/);

    // A human create: the fields, the key shown this once.
    const human = await ok(['api-keys', 'create', '--name', 'cli-operator', '--role', 'operator']);
    expect(human).toMatch(/^roles: +operator$/m);
    expect(human).toMatch(new RegExp(`^namespaces: +${NAMESPACE}$`, 'm'));
    expect(human).toMatch(/^key: +sfk_\S+$/m);
    expect(human).toContain('the key is shown this once');

    const listed = await ok(['api-keys', 'list']);
    expect(listed).not.toMatch(ESCAPE);
    expect(listed.split('\n')[0]).toMatch(/^ID +NAME +ROLES +NAMESPACES +EXPIRES +LAST USED/);
    expect(listed).toMatch(new RegExp(`^${created.id} +cli-viewer +viewer +${NAMESPACE} +never `, 'm'));
    expect(listed).toMatch(/ cli-operator +operator /);
    expect(listed).not.toContain(created.key);
    const keys = await json<{ items: { id: string; name: string }[] }>(['api-keys', 'list']);
    expect(keys.items.find((key) => key.id === created.id)).toMatchObject({ name: 'cli-viewer' });

    expect(await ok(['api-keys', 'revoke', created.id])).toBe(`revoked API key ${created.id}\n`);
    const refused = await sagaflow(['runs', 'list'], asViewer);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(refused.stderr)).toMatch(/^sagaflow: .*revoked.*\(HTTP 401\)$/);
    const revokedAgain = await sagaflow(['api-keys', 'revoke', created.id]);
    expect(revokedAgain.code).toBe(1);
    expect(oneLine(revokedAgain.stderr)).toMatch(/\(HTTP 404\)$/);
  });
});

describe('sagaflow usage and errors', () => {
  it('exits 2 for an unknown command and for an option out of range', async () => {
    const unknown = await sagaflow(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^sagaflow: unknown command 'frobnicate'/);

    const limit = await sagaflow(['runs', 'list', '--limit', '0']);
    expect(limit).toMatchObject({ code: 2, stdout: '' });
    expect(limit.stderr).toMatch(/--limit/);
    expect(limit.stderr).toMatch(/must be a whole number from 1 to 1000/);

    const status = await sagaflow(['runs', 'list', '--status', 'DONE']);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/must be one of PENDING, /);

    const input = await sagaflow(['runs', 'start', 'cli-saga', '--input', '{not json']);
    expect(input.code).toBe(2);
    expect(oneLine(input.stderr)).toMatch(/^sagaflow: --input is not valid JSON/);

    const noArgs = await sagaflow([]);
    expect(noArgs.code).toBe(2);
    expect(noArgs.stderr).toContain('Usage: sagaflow');
  });

  it('exits 1 with one line without a credential, and names the URL it cannot reach', async () => {
    const anonymous = await sagaflow(['runs', 'list'], { env: { SAGAFLOW_API_KEY: undefined } });
    expect(anonymous).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(anonymous.stderr)).toMatch(/^sagaflow: .*\(HTTP 401\)$/);

    const wrong = await sagaflow(['runs', 'list', '--api-key', 'sfk_not-a-key']);
    expect(wrong.code).toBe(1);
    expect(oneLine(wrong.stderr)).toMatch(/\(HTTP 401\)$/);

    const unreachable = await sagaflow(['runs', 'list', '--url', 'http://127.0.0.1:1']);
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(unreachable.stderr)).toMatch(
      /^sagaflow: cannot reach the Sagaflow API at http:\/\/127\.0\.0\.1:1 /,
    );

    const notHttp = await sagaflow(['runs', 'list'], { env: { SAGAFLOW_URL: 'ftp://127.0.0.1' } });
    expect(notHttp.code).toBe(2);
    expect(oneLine(notHttp.stderr)).toContain('ftp://127.0.0.1');

    const foreign = await sagaflow(['runs', 'show', randomUUID()]);
    expect(foreign.code).toBe(1);
    expect(oneLine(foreign.stderr)).toMatch(/\(HTTP 404\)$/);
  });

  it('says schedules are not in this version (exit 1), and --help ends with examples (exit 0)', async () => {
    const schedules = await sagaflow(['schedules', 'list']);
    expect(schedules).toMatchObject({ code: 1, stdout: '' });
    expect(oneLine(schedules.stderr)).toBe(
      'sagaflow: schedules are not in this version of Sagaflow yet (docs/cli.md#schedules)',
    );

    for (const command of [['runs', 'start'], ['dlq', 'replay'], ['api-keys', 'create'], ['definitions']]) {
      const help = await sagaflow([...command, '--help']);
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toMatch(new RegExp(`^Usage: sagaflow ${command.join(' ')}`));
      expect(help.stdout).toMatch(/\nExamples:\n {2}\$ sagaflow /);
    }
    const version = await sagaflow(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});
