import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type SagaflowApp } from '../../src/app/create-app.js';
import { cleanup, isolatedConfig } from '../integration/support/harness.js';
import { registerStartPoll } from '../client/register-start-poll.js';
import { uniqueName } from './support/http-app.js';

/**
 * The generated client of test/client (openapi-typescript + openapi-fetch, type-checked by
 * `npm run check:client`) against a live server with every role: it registers, starts and
 * polls a run whose `http` task calls a small stock service here.
 */
const config = isolatedConfig('client', ['api', 'relay', 'orchestrator', 'worker']);
let app: SagaflowApp | null = null;
let stock: Server;
const received: { path: string; body: unknown }[] = [];

beforeAll(async () => {
  stock = createServer((request, response) => {
    void readJson(request).then((body) => {
      received.push({ path: request.url ?? '', body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'reservation-1' }));
    });
  });
  await new Promise<void>((resolve) => stock.listen(0, '127.0.0.1', resolve));
  app = await createApp(config);
});
afterAll(async () => {
  await new Promise((resolve) => stock?.close(resolve));
  await cleanup(app, config, ['noop', 'echo', 'http']);
});

describe('the generated OpenAPI client against a live server', () => {
  it('registers a definition, starts a run and polls it until it completes', async () => {
    const { port } = stock.address() as AddressInfo;
    const name = uniqueName('client');
    const outcome = await registerStartPoll({
      baseUrl: app!.url!,
      name,
      stockUrl: `http://127.0.0.1:${port}`,
      pollMs: 20,
    });

    expect(outcome.definition).toMatchObject({ name, version: 1 });
    // Defaults filled in by the server, present in the response as the document says.
    expect(outcome.definition.tasks[2]).toMatchObject({ key: 'notify', priority: 7, timeoutMs: 300000 });
    expect(outcome.run).toMatchObject({
      status: 'COMPLETED',
      definition: { name, version: 1 },
      idempotencyKey: `${name}:first`,
      output: { reservation: { id: 'reservation-1' } },
    });
    expect(outcome.run.tasks.map((t) => [t.key, t.status])).toEqual([
      ['reserve', 'COMPLETED'],
      ['settle', 'COMPLETED'],
      ['notify', 'COMPLETED'],
    ]);
    expect(received).toEqual([{ path: '/reserve', body: { sku: 'A-1' } }]);
    // Paged three at a time with nextCursor passed back as `after`: every seq once, in order.
    expect(outcome.events.map((e) => e.seq)).toEqual(outcome.events.map((_, i) => i + 1));
    expect(outcome.events.at(-1)?.type).toBe('RunCompleted');
  });
});

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? null : JSON.parse(text);
}
