import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanup, eventually, isolatedConfig } from '../integration/support/harness.js';
import { httpJson } from '../support/http-json.js';
import { childEnv, ensureBuilt, killAll, SagaflowChild, type ChildSpec } from './support/processes.js';

/**
 * The README's "Writing your own task handlers" examples, run as written: the code blocks after
 * `<!-- readme-handler-example -->` (a worker of its own, `startWorker` from `sagaflow/worker`)
 * and `<!-- readme-handler-module-example -->` (a SAGAFLOW_HANDLERS module for the worker role)
 * are copied verbatim into files inside the project, so `sagaflow/worker` resolves through the
 * package's own `exports` (self-reference) to the build in dist/, as it does for a project that
 * installs Sagaflow; the definition after `<!-- readme-handler-definition -->` is registered as
 * written (under a unique name) and a run goes to COMPLETED with the handlers' outputs.
 */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

/** The first fenced code block after `<!-- marker -->`. */
function blockAfter(marker: string): string {
  const at = README.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`README.md has no <!-- ${marker} --> marker`);
  const fence = /```[a-z]*\n([\s\S]*?)\n```/.exec(README.slice(at));
  if (!fence) throw new Error(`no code block after <!-- ${marker} --> in README.md`);
  return fence[1]!;
}

const config = isolatedConfig('readme', ['api', 'relay', 'orchestrator', 'worker']);
const children: SagaflowChild[] = [];
let worker: ChildProcess | null = null;
let workerOutput = '';
let dir = '';
let api = '';
const http = httpJson(() => api);

beforeAll(async () => {
  ensureBuilt();
  // Inside the project, so that the nearest package.json is Sagaflow's own.
  dir = mkdtempSync(join(ROOT, '.readme-example-'));
  writeFileSync(join(dir, 'my-worker.mjs'), blockAfter('readme-handler-example'));
  writeFileSync(join(dir, 'my-handlers.mjs'), blockAfter('readme-handler-module-example'));
  const spec: ChildSpec = {
    name: 'readme-sagaflow',
    roles: ['api', 'relay', 'orchestrator', 'worker'],
    config,
    instanceId: 'readme-sagaflow',
    handlers: [join(dir, 'my-handlers.mjs')],
  };
  const sagaflow = await SagaflowChild.start(spec, children);
  api = /running roles \S+ on (http:\/\/[^\s"]+)/.exec(sagaflow.tail)![1]!;

  // The README's worker, run by the same Node 24 as jest, configured like the sagaflow process.
  const { SAGAFLOW_HANDLERS: _none, ...env } = childEnv({ ...spec, name: 'readme-worker' });
  worker = spawn(process.execPath, [join(dir, 'my-worker.mjs')], { cwd: dir, env, stdio: 'pipe' });
  worker.stdout?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString('utf8')));
  worker.stderr?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString('utf8')));
  const exited = new Promise((_, reject) =>
    worker!.once('exit', (code) => reject(new Error(`my-worker.mjs exited (${code}):\n${workerOutput}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([
    eventually(
      async () => workerOutput,
      (out) => out.includes('running task types invoice-total'),
    ),
    exited,
  ]);
}, 120_000);

afterAll(async () => {
  try {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const gone = new Promise((done) => worker!.once('exit', done));
      worker.kill('SIGKILL');
      await gone;
    }
    await killAll(children);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await cleanup(null, config, ['invoice-total', 'format-receipt', 'noop', 'echo', 'http']);
  }
}, 60_000);

async function runToEnd(definition: string, input: unknown) {
  const started = await http('POST', '/v1/runs', { definition, input });
  expect(started.status).toBe(201);
  return eventually(
    () => http('GET', `/v1/runs/${String(started.body.id)}`),
    (r) => ['COMPLETED', 'FAILED', 'COMPENSATED'].includes(String(r.body.status)),
    100,
  );
}

describe('README: writing your own task handlers', () => {
  const name = `invoice-${Date.now().toString(36)}`;

  it('runs the README definition to COMPLETED through both handlers', async () => {
    const definition = { ...(JSON.parse(blockAfter('readme-handler-definition')) as object), name };
    expect((await http('POST', '/v1/definitions', definition)).status).toBe(201);

    const lines = [
      { quantity: 2, unitPrice: 10.5 },
      { quantity: 1, unitPrice: 4 },
    ];
    const run = await runToEnd(name, { lines });

    expect(run.body.status).toBe('COMPLETED');
    const tasks = run.body.tasks as Array<{ key: string; status: string; output: unknown }>;
    const byKey = Object.fromEntries(tasks.map((task) => [task.key, task]));
    expect(byKey.total).toMatchObject({
      status: 'COMPLETED',
      output: { total: 25, invoice: `INV-${String(run.body.id).slice(0, 8)}` },
    });
    expect(byKey.receipt).toMatchObject({ status: 'COMPLETED', output: { text: 'Total due: 25.00 EUR' } });
  });

  it('fails the run at once on input its schema refuses, naming the field', async () => {
    const run = await runToEnd(name, { lines: 'not a list' });

    expect(run.body.status).toBe('FAILED');
    expect(run.body.error).toMatchObject({
      taskKey: 'total',
      message: expect.stringMatching(
        /^input of task type "invoice-total" does not match its schema: lines: /,
      ),
    });
    const tasks = run.body.tasks as Array<{ key: string; status: string; attempts: number }>;
    expect(tasks.find((task) => task.key === 'total')).toMatchObject({ status: 'FAILED', attempts: 1 });
  });
});
