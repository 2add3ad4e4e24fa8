import { Writable } from 'node:stream';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from '../../../src/interfaces/cli/api-client.js';
import type { EventJson, RunJson } from '../../../src/interfaces/cli/watch/run-json.js';
import { watchRun, type WatchOptions } from '../../../src/interfaces/cli/watch/watch-run.js';
import { cleanup, isolatedConfig } from '../../integration/support/harness.js';
import { freePort } from '../../support/free-port.js';
import { ensureBuilt, FIXTURES, killAll, SagaflowChild, type ChildSpec } from '../support/processes.js';

/**
 * `sagaflow runs watch` against a real installation: an api process of its own (auth on, a fixed
 * port, so that it can be restarted under the watch) and a process with every other role. The
 * watch runs in this process, through the CLI's ApiClient, in a namespace of its own.
 */
const ADMIN_KEY = 'sf_e2e_watch_admin_key';
const NAMESPACE = 'watch-e2e';
const config = isolatedConfig('cliwatch', ['api']);
const children: SagaflowChild[] = [];
let apiSpec: ChildSpec;
let api: SagaflowChild;
let client: ApiClient;

beforeAll(async () => {
  ensureBuilt();
  const port = await freePort();
  apiSpec = {
    name: 'watch-api',
    roles: ['api'],
    config,
    instanceId: 'watch-api',
    env: {
      PORT: String(port),
      SAGAFLOW_AUTH: 'on',
      SAGAFLOW_ADMIN_API_KEY: ADMIN_KEY,
      SAGAFLOW_RATE_LIMIT: 'off',
    },
  };
  const engine: ChildSpec = {
    name: 'watch-engine',
    roles: ['relay', 'orchestrator', 'worker'],
    config,
    instanceId: 'watch-engine',
    handlers: [resolve(FIXTURES, 'slow-handlers.mjs')],
  };
  [api] = await Promise.all([SagaflowChild.start(apiSpec, children), SagaflowChild.start(engine, children)]);
  client = new ApiClient({ url: `http://127.0.0.1:${port}`, apiKey: ADMIN_KEY, namespace: NAMESPACE });
  for (const definition of DEFINITIONS) await client.post('/v1/definitions', { body: definition });
}, 120_000);

afterAll(async () => {
  await killAll(children);
  await cleanup(null, config, ['noop', 'echo', 'http', 'slow']);
}, 60_000);

const DEFINITIONS = [
  {
    name: 'watch-ok',
    tasks: [
      { key: 'reserve', type: 'echo', input: { order: '${input.order}' } },
      { key: 'audit', type: 'noop', dependsOn: ['reserve'] },
      { key: 'wait', type: 'delay', dependsOn: ['reserve'], input: { ms: 1_000 } },
      { key: 'ship', type: 'slow', dependsOn: ['wait', 'audit'], input: { mode: 'ok' } },
    ],
  },
  {
    name: 'watch-saga',
    tasks: [
      {
        key: 'reserve',
        type: 'echo',
        input: { order: '${input.order}' },
        compensation: { type: 'echo', input: { release: '${tasks.reserve.output.order}' } },
      },
      { key: 'wait', type: 'delay', dependsOn: ['reserve'], input: { ms: 300 } },
      {
        key: 'charge',
        type: 'slow',
        dependsOn: ['wait'],
        input: { mode: 'fail' },
        compensation: { type: 'noop' },
      },
      { key: 'ship', type: 'noop', dependsOn: ['charge'] },
    ],
  },
  {
    name: 'watch-resume',
    tasks: [
      { key: 'reserve', type: 'echo', input: {} },
      // Long enough that the api is usually back before it fires; the test holds either way.
      { key: 'wait', type: 'delay', dependsOn: ['reserve'], input: { ms: 4_000 } },
      { key: 'ship', type: 'noop', dependsOn: ['wait'] },
    ],
  },
];

/* eslint-disable no-control-regex -- escape sequences are what these look for */
const REDRAW = /\u001b\[\d+A\r\u001b\[J/g;
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/* eslint-enable no-control-regex */

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function start(definition: string): Promise<string> {
  const { body } = await client.post<{ id: string }>('/v1/runs', {
    body: { definition, input: { order: 42 } },
  });
  return body.id;
}

async function restEvents(runId: string): Promise<EventJson[]> {
  const { body } = await client.get<{ items: EventJson[] }>(`/v1/runs/${runId}/events`, {
    query: { limit: 1000 },
  });
  return body.items;
}

/** Watches `runId` to its end, recording what the hooks see. */
async function watch(runId: string, extra: Partial<WatchOptions> = {}) {
  const out = new Capture();
  const events: EventJson[] = [];
  const afters: number[] = [];
  const code = await watchRun({
    client,
    runId,
    out,
    color: true, // asked for, but the output is no terminal: still no escapes
    json: false,
    reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
    onSubscribe: (after) => afters.push(after),
    ...extra,
    onEvent: (event) => {
      events.push(event);
      extra.onEvent?.(event);
    },
  });
  return { code, out: out.text, events, afters };
}

/** The final frame: the output from its `run <id>` header on. */
function finalFrame(out: string, runId: string): string {
  const at = out.lastIndexOf(`\nrun ${runId}`);
  expect(at).toBeGreaterThan(-1);
  return out.slice(at + 1);
}

describe('sagaflow runs watch', () => {
  it('follows a run to COMPLETED: exit 0, a line per change, every task COMPLETED in the final frame', async () => {
    const runId = await start('watch-ok');
    const { code, out, events, afters } = await watch(runId);

    expect(code).toBe(0);
    expect(afters).toEqual([0]);
    expect(out).not.toContain('\u001b');
    expect(events).toEqual(await restEvents(runId));
    expect(out).toMatch(/ wait +RUNNING +attempt 1\n/);
    const frame = finalFrame(out, runId);
    expect(frame.split('\n')[0]).toMatch(new RegExp(`^run ${runId}  watch-ok v1  COMPLETED  `));
    for (const key of ['reserve', 'audit', 'wait', 'ship'])
      expect(frame).toMatch(new RegExp(`✓ ${key} +COMPLETED +1 `));
    // Topological: reserve, then audit and wait side by side, then ship.
    expect(frame.indexOf('✓ reserve')).toBeLessThan(frame.indexOf('✓ audit'));
    expect(frame.indexOf('✓ wait')).toBeLessThan(frame.indexOf('✓ ship'));
    expect(frame).not.toContain('compensation');
  });

  it('redraws the frame in place on a terminal and leaves the final frame and the cursor behind', async () => {
    const runId = await start('watch-ok');
    const out = Object.assign(new Capture(), { isTTY: true, columns: 120, rows: 40 });
    const code = await watchRun({ client, runId, out, color: true, json: false });

    expect(code).toBe(0);
    expect(out.text.startsWith('\u001b[?25l')).toBe(true);
    expect(out.text.endsWith('\n\u001b[?25h')).toBe(true);
    // Every frame after the first moves the cursor back over the one before.
    const redraws = out.text.match(REDRAW) ?? [];
    expect(redraws.length).toBeGreaterThan(0);
    const last = out.text.slice(out.text.lastIndexOf('\u001b[J') + 3).replace(ANSI, '');
    expect(last.split('\n')[0]).toMatch(new RegExp(`^run ${runId} {2}watch-ok v1 {2}COMPLETED `));
    for (const key of ['reserve', 'audit', 'wait', 'ship'])
      expect(last).toMatch(new RegExp(`✓ ${key} +COMPLETED +1 `));
    for (const line of last.split('\n')) expect(line.length).toBeLessThan(120);
  });

  it('prints the finished run as GET /v1/runs/{id} returns it with --json', async () => {
    const runId = await start('watch-ok');
    await watch(runId);
    const out = new Capture();
    const code = await watchRun({ client, runId, out, color: false, json: true });
    expect(code).toBe(0);
    const { body } = await client.get<RunJson>(`/v1/runs/${runId}`);
    expect(JSON.parse(out.text)).toEqual(body);
  });

  it('exits 3 for a run that compensates, showing the compensation pass', async () => {
    const runId = await start('watch-saga');
    const { code, out, events } = await watch(runId);

    expect(code).toBe(3);
    expect(events.at(-1)!.type).toBe('RunCompensated');
    expect(events).toEqual(await restEvents(runId));
    expect(out).toMatch(/ reserve +compensation +COMPLETED +attempt 1\n/);
    const frame = finalFrame(out, runId);
    expect(frame.split('\n')[0]).toMatch(/ watch-saga v1 {2}COMPENSATED /);
    expect(frame).toMatch(/error: charge: charge fails for good \(mode fail\)/);
    expect(frame).toMatch(/↶ reserve +COMPENSATED +1 /);
    expect(frame).toMatch(/✗ charge +FAILED +1 /);
    expect(frame).toMatch(/– ship +SKIPPED +- /);
    const [, pass] = frame.split('compensation, in reverse order\n');
    expect(pass).toMatch(/^ +1 +↶ reserve +COMPLETED +1 /);
  });

  it('resumes from the last seq when the api restarts mid-run: every event once, in order', async () => {
    const runId = await start('watch-resume');
    const drop: { restart: Promise<void> | null; cursor: number } = { restart: null, cursor: 0 };
    const { code, out, events, afters } = await watch(runId, {
      onEvent: (event) => {
        // The delay is set: restart the api (SIGTERM closes /ws with 1001) while the run waits on it.
        if (drop.restart === null && event.type === 'TaskStarted' && event.taskKey === 'wait') {
          drop.cursor = event.seq;
          drop.restart = (async () => {
            await api.stop();
            api = await SagaflowChild.start(apiSpec, children);
          })();
        }
      },
    });
    expect(drop.restart).not.toBeNull();
    await drop.restart;

    expect(code).toBe(0);
    // One subscription from 0, then every reconnect from the cursor the drop left.
    expect(afters[0]).toBe(0);
    expect(afters.length).toBeGreaterThanOrEqual(2);
    expect(new Set(afters.slice(1))).toEqual(new Set([drop.cursor]));
    const rest = await restEvents(runId);
    expect(rest.at(-1)!.type).toBe('RunCompleted');
    expect(events).toEqual(rest);
    expect(events.map((event) => event.seq)).toEqual(rest.map((_, i) => i + 1));
    // The lines are as unique as the events: one per event, then the frame.
    expect(out.split('\n').filter((line) => / run +COMPLETED$/.test(line))).toHaveLength(1);
    const frame = finalFrame(out, runId);
    for (const key of ['reserve', 'wait', 'ship'])
      expect(frame).toMatch(new RegExp(`✓ ${key} +COMPLETED +1 `));
  }, 120_000);
});
