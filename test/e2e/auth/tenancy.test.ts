import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { TestClient } from '../ws/ws-client.js';
import { SECRET, hsToken, startAuthApp, type AuthApp } from './support/auth-app.js';

/**
 * Namespaces keep tenants apart on every surface (docs/contract.md#security-and-tenancy): two
 * admins, one of `team-a` and one of `team-b`, register a definition of the same name and start
 * runs with the same idempotency key. Neither sees a byte of the other's data — not in lists,
 * reads, events, commands, GraphQL or either socket — and a foreign run id answers exactly like
 * an unknown one.
 */
const UNKNOWN_RUN = '00000000-0000-4000-8000-000000000000';
/** A value only team-a's run carries: no answer to team-b may contain it. */
const SECRET_INPUT = 'team-a-private-input-7f3e';

interface Problem {
  status: number;
  title: string;
  detail: string;
  type: string;
}

describe('namespaces', () => {
  let app: AuthApp;
  const tokens: Record<'a' | 'b', string> = { a: '', b: '' };
  let runA = '';
  let runB = '';

  const call = async (team: 'a' | 'b', method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[team]}`,
        'sagaflow-namespace': `team-${team}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const graphql = (team: 'a' | 'b', query: string, variables: Record<string, unknown> = {}) =>
    call(team, 'POST', '/graphql', { query, variables });

  /** What team-b gets for `path` with team-a's run id, and with an id no run has. */
  const foreignAndUnknown = async (method: string, template: string, body?: unknown) => {
    const foreign = await call('b', method, template.replace(':id', runA), body);
    const unknown = await call('b', method, template.replace(':id', UNKNOWN_RUN), body);
    return { foreign, unknown };
  };

  beforeAll(async () => {
    app = await startAuthApp({ secret: SECRET }, 'tenancy');
    tokens.a = await hsToken(SECRET, { roles: ['admin'], namespaces: ['team-a'] });
    tokens.b = await hsToken(SECRET, { roles: ['admin'], namespaces: ['team-b'] });
    for (const team of ['a', 'b'] as const) {
      const registered = await call(team, 'POST', '/v1/definitions', {
        name: 'shared-name',
        description: `owned by team ${team}`,
        tasks: [{ key: team === 'a' ? 'only-in-a' : 'only-in-b', type: 'delay', input: { ms: 60_000 } }],
      });
      expect(registered.status).toBe(201);
      expect(JSON.parse(registered.text)).toMatchObject({ namespace: `team-${team}`, version: 1 });
    }
    const startA = await call('a', 'POST', '/v1/runs', {
      definition: 'shared-name',
      input: { secret: SECRET_INPUT },
      idempotencyKey: 'same-key',
    });
    const startB = await call('b', 'POST', '/v1/runs', {
      definition: 'shared-name',
      input: {},
      idempotencyKey: 'same-key',
    });
    expect([startA.status, startB.status]).toEqual([201, 201]);
    runA = (JSON.parse(startA.text) as { id: string }).id;
    runB = (JSON.parse(startB.text) as { id: string }).id;
  });
  afterAll(() => app.close());

  it('gives each namespace its own definition of a name and its own idempotency keys', async () => {
    expect(runA).not.toBe(runB);
    const b = await call('b', 'GET', '/v1/definitions/shared-name');
    expect(JSON.parse(b.text)).toMatchObject({ namespace: 'team-b', tasks: [{ key: 'only-in-b' }] });
    const a = await call('a', 'GET', `/v1/runs/${runA}`);
    expect(JSON.parse(a.text)).toMatchObject({ namespace: 'team-a', tasks: [{ key: 'only-in-a' }] });
  });

  it('lists only the caller namespace', async () => {
    for (const path of ['/v1/runs', '/v1/runs?definition=shared-name', '/v1/definitions']) {
      const { status, text } = await call('b', 'GET', path);
      expect(status).toBe(200);
      expect(text).not.toContain(runA);
      expect(text).not.toContain('only-in-a');
      expect(text).not.toContain('team-a');
    }
    const runs = JSON.parse((await call('b', 'GET', '/v1/runs')).text) as { items: { id: string }[] };
    expect(runs.items.map((r) => r.id)).toEqual([runB]);
  });

  it('answers a foreign run id on every route exactly like an unknown one', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/runs/:id'],
      ['GET', '/v1/runs/:id/events'],
      ['POST', '/v1/runs/:id/cancel', { reason: 'not yours' }],
      ['POST', '/v1/runs/:id/retry'],
    ];
    for (const [method, path, body] of routes) {
      const { foreign, unknown } = await foreignAndUnknown(method, path, body);
      expect({ path, status: foreign.status }).toEqual({ path, status: 404 });
      const problem = JSON.parse(foreign.text) as Problem;
      const expected = JSON.parse(unknown.text.replaceAll(UNKNOWN_RUN, runA)) as Problem;
      expect(problem).toEqual(expected);
      expect(foreign.text).not.toContain(SECRET_INPUT);
    }
    // Team-a's run is untouched by team-b's cancel.
    expect(JSON.parse((await call('a', 'GET', `/v1/runs/${runA}`)).text)).toMatchObject({
      status: 'RUNNING',
    });
  });

  it('keeps GraphQL reads, lists and mutations in the namespace', async () => {
    const read = await graphql('b', 'query ($id: ID!) { run(id: $id) { id input } }', { id: runA });
    expect(read.text).not.toContain(SECRET_INPUT);
    const body = JSON.parse(read.text) as { data?: { run: unknown } | null; errors?: { message: string }[] };
    expect(body.data?.run ?? null).toBeNull();
    const list = await graphql(
      'b',
      '{ runs(first: 50) { items { id namespace } } definitions { name namespace } }',
    );
    expect(list.text).not.toContain(runA);
    expect(list.text).not.toContain('team-a');
    expect(JSON.parse(list.text)).toMatchObject({
      data: { runs: { items: [{ id: runB, namespace: 'team-b' }] }, definitions: [{ namespace: 'team-b' }] },
    });
    const cancel = await graphql('b', 'mutation ($id: ID!) { cancelRun(id: $id) { id } }', { id: runA });
    expect(cancel.text).toContain('not found');
    expect(cancel.text).not.toContain(SECRET_INPUT);
  });

  it('/ws: a foreign run is an unknown run, and a definition subscription hears only its namespace', async () => {
    const client = await TestClient.connect(`${app.url.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${tokens.b}` },
    });
    expect(await client.request({ type: 'subscribe', namespace: 'team-b', runId: runA })).toEqual({
      type: 'error',
      message: `unknown run ${runA}`,
      runId: runA,
    });
    expect(
      await client.request({ type: 'subscribe', namespace: 'team-b', definition: 'shared-name' }),
    ).toMatchObject({ type: 'subscribed' });
    // Team-a's activity on the same definition name reaches no team-b subscriber.
    await call('a', 'POST', `/v1/runs/${runA}/cancel`, { reason: 'done' });
    const own = await call('b', 'POST', `/v1/runs/${runB}/cancel`, { reason: 'done' });
    expect([200, 202]).toContain(own.status);
    const mine = await client.next((f) => f.type === 'event' && f.runId === runB);
    expect(mine).toMatchObject({ runId: runB });
    expect(client.frames.some((f) => JSON.stringify(f).includes(runA) && f.type !== 'error')).toBe(false);
    client.socket.close();
  });

  it('graphql-ws: a foreign run is not found and nothing of it is sent', async () => {
    const socket = new WebSocket(`${app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: { type: string; payload?: unknown }[] = [];
    const done = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse((data as Buffer).toString('utf8')) as { type: string; payload?: unknown };
        messages.push(message);
        if (message.type === 'connection_ack') {
          socket.send(
            JSON.stringify({
              id: '1',
              type: 'subscribe',
              payload: {
                query: 'subscription ($id: ID!) { runEvents(runId: $id) { seq type data } }',
                variables: { id: runA },
              },
            }),
          );
        }
        if (message.type === 'error' || message.type === 'complete') resolve();
      });
      socket.once('open', () =>
        socket.send(
          JSON.stringify({
            type: 'connection_init',
            payload: { authorization: `Bearer ${tokens.b}`, namespace: 'team-b' },
          }),
        ),
      );
      socket.once('error', reject);
    });
    await done;
    socket.close();
    // The subscription fails at once: one `next` carrying the error and no data, then `complete`.
    const results = messages.filter((m) => m.type === 'next').map((m) => m.payload as { data?: unknown });
    expect(results.every((r) => r.data === undefined || r.data === null)).toBe(true);
    expect(JSON.stringify(messages)).toContain('not found');
    expect(JSON.stringify(messages)).not.toContain(SECRET_INPUT);
  });
});
