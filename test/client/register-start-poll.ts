/**
 * A client of the REST API generated from docs/contracts/openapi.json (openapi-typescript types,
 * openapi-fetch calls) that registers a definition, starts a run and polls it to the end.
 *
 * It is written without casts, non-null assertions or `any`: `npm run check:client` regenerates
 * the types and type-checks this file, so a document that forces a cast on clients fails CI;
 * test/e2e/openapi-client.test.ts runs it against a live server, so it is known to work.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi.js';

export type Definition = components['schemas']['Definition'];
export type Run = components['schemas']['Run'];
export type RunEvent = components['schemas']['RunEvent'];
type RunEventPage = components['schemas']['RunEventPage'];

type Problem = components['schemas']['Problem'];

const FINAL: readonly Run['status'][] = [
  'COMPLETED',
  'COMPENSATED',
  'FAILED',
  'CANCELLED',
  'COMPENSATION_FAILED',
];

export interface SagaOptions {
  /** Where the API listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Definition name (1–100 of `[a-z0-9._-]`). */
  name: string;
  /** The service the `http` task and its compensation call: `POST {stockUrl}/reserve`, `/release`. */
  stockUrl: string;
  /** Wait between polls. */
  pollMs?: number;
  /** Give up after this many polls. */
  maxPolls?: number;
}

export interface SagaOutcome {
  definition: Definition;
  /** The run once it is in a final status. */
  run: Run;
  /** Every event of the run, read page by page with `nextCursor` passed back as `after`. */
  events: RunEvent[];
}

/** Registers `{name}` (an `http` task with a compensation, a `delay`, a `noop`), runs it to the end. */
export async function registerStartPoll(options: SagaOptions): Promise<SagaOutcome> {
  const client = createClient<paths>({ baseUrl: options.baseUrl });

  const registered = await client.POST('/v1/definitions', {
    body: {
      name: options.name,
      description: 'reserve stock, wait, notify; the reservation is released if a later step fails',
      tasks: [
        {
          key: 'reserve',
          type: 'http',
          input: { method: 'POST', url: `${options.stockUrl}/reserve`, body: { sku: '${input.sku}' } },
          retry: { maxAttempts: 2, initialIntervalMs: 10 },
          compensation: {
            type: 'http',
            input: { method: 'POST', url: `${options.stockUrl}/release`, body: { sku: '${input.sku}' } },
          },
        },
        { key: 'settle', type: 'delay', dependsOn: ['reserve'], input: { ms: 10 } },
        { key: 'notify', type: 'noop', dependsOn: ['settle'], priority: 7 },
      ],
      output: { reservation: '${tasks.reserve.output.body}' },
    },
  });
  if (registered.error) throw problem('register', registered.error);

  const started = await client.POST('/v1/runs', {
    params: { header: { 'Idempotency-Key': `${options.name}:first` } },
    body: { definition: registered.data.name, version: registered.data.version, input: { sku: 'A-1' } },
  });
  if (started.error) throw problem('start', started.error);

  const run = await pollUntilFinal(client, started.data.id, options);
  return { definition: registered.data, run, events: await allEvents(client, run.id) };
}

type Client = ReturnType<typeof createClient<paths>>;

async function pollUntilFinal(client: Client, id: string, options: SagaOptions): Promise<Run> {
  for (let poll = 0; poll < (options.maxPolls ?? 400); poll++) {
    const read = await client.GET('/v1/runs/{id}', { params: { path: { id } } });
    if (read.error) throw problem('read', read.error);
    if (FINAL.includes(read.data.status)) return read.data;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
  throw new Error(`run ${id} did not finish`);
}

async function allEvents(client: Client, id: string): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  let page = await eventsAfter(client, id, 0);
  events.push(...page.items);
  while (page.nextCursor !== null) {
    // The cursor goes back as it came: a string of digits is a valid `after`.
    page = await eventsAfter(client, id, page.nextCursor);
    events.push(...page.items);
  }
  return events;
}

async function eventsAfter(client: Client, id: string, after: string | number): Promise<RunEventPage> {
  const page = await client.GET('/v1/runs/{id}/events', {
    params: { path: { id }, query: { after, limit: 3 } },
  });
  if (page.error) throw problem('events', page.error);
  return page.data;
}

function problem(step: string, body: Problem): Error {
  return new Error(`${step}: ${body.status} ${body.title}: ${body.detail}`);
}
