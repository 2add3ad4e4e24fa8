import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { parseExposition, Scrape } from '../support/prometheus-text.js';
import { httpJson } from '../../support/http-json.js';

/**
 * SAGAFLOW_INLINE_PUBLISH=false makes the relay the only publisher. The api (with orchestrator
 * and worker) is one app, the relay another app on the same database and prefixes, which the
 * test closes and starts again like an operator stopping the relay's process.
 */
const base = { ...isolatedConfig('outboxage'), inlinePublish: false };
const apiConfig = { ...base, roles: new Set(['api', 'orchestrator', 'worker'] as const) };
const relayConfig = { ...base, roles: new Set(['relay'] as const) };
let api: SagaflowApp | null = null;
let relay: SagaflowApp | null = null;

beforeAll(async () => {
  api = await createApp(apiConfig);
  relay = await createApp(relayConfig);
});
afterAll(async () => {
  try {
    await relay?.close();
  } finally {
    await cleanup(api, base, ['noop', 'echo', 'http']);
  }
});

const http = httpJson(() => api!.url!);

const scrape = () => Scrape.of(api!.url!);
const unsent = (s: Scrape) => s.value('sagaflow_outbox_unsent_messages');
const age = (s: Scrape) => s.value('sagaflow_outbox_oldest_unsent_age_seconds');
const finished = async (id: string) =>
  (
    await eventually(
      () => http('GET', `/v1/runs/${id}`),
      (r) => r.body.status === 'COMPLETED',
    )
  ).body.status;

describe('the outbox gauges while the only publisher, the relay, is stopped', () => {
  it('rise while the relay is down and fall to zero once it runs again', async () => {
    expect(
      (await http('POST', '/v1/definitions', { name: 'one', tasks: [{ key: 'a', type: 'noop' }] })).status,
    ).toBe(201);
    const first = await http('POST', '/v1/runs', { definition: 'one' });
    expect(await finished(first.body.id as string)).toBe('COMPLETED');
    expect(unsent(await eventually(scrape, (s) => unsent(s) === 0))).toBe(0);

    await relay!.close();
    relay = null;
    const stuck = await http('POST', '/v1/runs', { definition: 'one' });
    expect(stuck.status).toBe(201);
    const waiting = await eventually(scrape, (s) => unsent(s) === 1 && age(s) > 0);
    const later = await eventually(scrape, (s) => age(s) > age(waiting));
    expect(unsent(later)).toBe(1);
    expect((await http('GET', `/v1/runs/${stuck.body.id as string}`)).body.status).toBe('RUNNING');

    relay = await createApp(relayConfig);
    const drained = await eventually(scrape, (s) => unsent(s) === 0);
    expect(age(drained)).toBe(0);
    expect(await finished(stuck.body.id as string)).toBe('COMPLETED');

    // The new relay process published exactly the one row that waited (its own registry).
    const relayed = new Scrape(parseExposition(await relay.runtime.metrics.registry.metrics()));
    expect(relayed.value('sagaflow_outbox_messages_published_total', { publisher: 'relay' })).toBe(1);
    expect(relayed.value('sagaflow_outbox_messages_published_total', { publisher: 'inline' })).toBe(0);
  });
});
