import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../src/app/create-app.js';
import { BUILTIN_TYPES } from '../integration/support/flow-helpers.js';
import { cleanup, isolatedConfig, startApp, waitForStatus } from '../integration/support/harness.js';

/**
 * Hostile JSON through every way in (docs/security.md#limits-and-hostile-input): nesting 5,000
 * levels deep, U+0000 and a lone surrogate — as raw JSON text, the way an attacker sends them —
 * over REST, GraphQL and as an `http` task's response. Each is a 400 naming the path and the
 * rule, or a non-retryable task failure naming it; never a 500.
 */
const deepText = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const HOSTILE: [string, string, RegExp][] = [
  ['5,000 levels of nesting', deepText(5000), /nests deeper than 64 levels \(max-depth\)/],
  ['U+0000', '"a\\u0000b"', /\(nul-character\)/],
  ['a lone surrogate', '"a\\ud800b"', /\(lone-surrogate\)/],
];

const config = isolatedConfig('hostile', ['api', 'relay', 'orchestrator', 'worker']);
let app: SagaflowApp | null = null;
let target: Server;

interface Answer {
  status: number;
  body: {
    errors?: { path?: string; message: string; extensions?: { code?: string } }[];
    [key: string]: unknown;
  };
}

/** Sends `text` as the raw JSON body, so escapes reach the server's parser as written. */
const send = async (path: string, text: string): Promise<Answer> => {
  const response = await fetch(`${app!.url!}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
};

beforeAll(async () => {
  // Answers `/<case index>` with that case's hostile value inside a JSON object.
  target = createServer((req, res) => {
    const [, text] = HOSTILE[Number(req.url!.slice(1))]!;
    res.setHeader('content-type', 'application/json');
    res.end(`{"value":${text}}`);
  });
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  app = await startApp(config);
  const registered = await send(
    '/v1/definitions',
    JSON.stringify({ name: 'target', tasks: [{ key: 'a', type: 'noop' }] }),
  );
  expect(registered.status).toBe(201);
});

afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES]);
  target.closeAllConnections();
  target.close();
});

describe.each(HOSTILE.map(([name, text, rule], index) => ({ name, text, rule, index })))(
  '$name',
  ({ text, rule, index }) => {
    it('in a definition or a run input over REST: 400 naming the path and the rule', async () => {
      const definition = await send(
        '/v1/definitions',
        `{"name":"hostile","tasks":[{"key":"a","type":"noop","input":{"x":${text}}}]}`,
      );
      expect(definition.status).toBe(400);
      expect(definition.body.errors).toEqual([
        { path: expect.stringMatching(/^tasks\[0\]\.input\.x/), message: expect.stringMatching(rule) },
      ]);

      const run = await send('/v1/runs', `{"definition":"target","input":{"x":${text}}}`);
      expect(run.status).toBe(400);
      expect(run.body.errors).toEqual([
        { path: expect.stringMatching(/^input\.x/), message: expect.stringMatching(rule) },
      ]);
    });

    it('in GraphQL variables: BAD_USER_INPUT naming the rule, and no run', async () => {
      const answer = await send(
        '/graphql',
        `{"query":"mutation ($input: JSON) { startRun(definition: \\"target\\", input: $input) { id } }","variables":{"input":{"x":${text}}}}`,
      );
      expect(answer.status).not.toBe(500);
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.body.errors).toHaveLength(1);
      expect(answer.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
      expect(answer.body.errors![0]!.message).toMatch(rule);
      const runs = await fetch(`${app!.url!}/v1/runs?definition=target`);
      expect(((await runs.json()) as { items: unknown[] }).items).toEqual([]);
    });

    it("as an http task's response: the task fails on its first attempt, naming the rule", async () => {
      const { port } = target.address() as AddressInfo;
      const name = `hostile-target-${index}`;
      const registered = await send(
        '/v1/definitions',
        JSON.stringify({
          name,
          tasks: [
            {
              key: 'call',
              type: 'http',
              retry: { maxAttempts: 3, initialIntervalMs: 20 },
              input: { method: 'GET', url: `http://127.0.0.1:${port}/${index}` },
            },
          ],
        }),
      );
      expect(registered.status).toBe(201);
      const started = await send('/v1/runs', JSON.stringify({ definition: name, input: {} }));
      expect(started.status).toBe(201);
      const run = await waitForStatus(app!, started.body.id as string);
      expect(run.status).toBe('FAILED');
      expect(run.tasks[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(run.tasks[0]!.error!.message).toMatch(rule);
    });
  },
);
