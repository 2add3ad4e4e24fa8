import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { QueryBus } from '@nestjs/cqrs';
import type { Client } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import {
  RUN_EVENT_FEED,
  type FeedSubscription,
  type RunEventFeed,
} from '../../../src/application/ports/run-event-feed.js';
import { UpgradeRoutes } from '../../../src/interfaces/realtime/upgrade-routes.js';
import { eventually } from '../../integration/support/harness.js';
import { reserveThenFailingCharge } from '../../integration/support/flow-helpers.js';
import { uniqueName } from '../support/http-app.js';
import { startGraphqlApp, type GraphqlApp } from './support/graphql-app.js';
import { asGraphqlRun, RUN_FIELDS } from './support/run-fields.js';
import { graphqlWsClient, subscribe } from './support/ws-client.js';

interface WireEvent {
  seq: number;
  type: string;
  taskKey: string | null;
  attempt: number | null;
  at: string;
  data: unknown;
}
interface RunJson {
  id: string;
  status: string;
}

const EVENTS = `subscription ($id: ID!, $after: Int) {
  runEvents(runId: $id, after: $after) { seq type taskKey attempt at data }
}`;
const UPDATES = `${RUN_FIELDS} subscription ($id: ID!) { runUpdated(runId: $id) { ...RunFields } }`;

/**
 * Subscriptions over graphql-ws on the api port, next to `/ws`, for runs that really run:
 * one process with every role, so the saga retries, fails and compensates meanwhile.
 */
describe('GraphQL subscriptions over graphql-ws', () => {
  let app: GraphqlApp | null = null;
  let ws: ReturnType<typeof graphqlWsClient>;
  let client: Client;
  const saga = uniqueName('gqlsaga');

  beforeAll(async () => {
    app = await startGraphqlApp('gqlsubs', ['api', 'relay', 'orchestrator', 'worker']);
    ws = graphqlWsClient(app.sagaflow.url!);
    client = ws.client;
  });
  afterAll(async () => {
    await client?.dispose();
    await app?.close();
  });

  const rest = async <T>(url: string) => (await app!.http.inject({ method: 'GET', url })).json<T>();
  const restEvents = async (id: string) =>
    (await rest<{ items: WireEvent[] }>(`/v1/runs/${id}/events?limit=1000`)).items;

  async function startSaga(): Promise<string> {
    const registered = await app!.graphql(
      `mutation ($d: JSON!) { registerDefinition(definition: $d) { name } }`,
      {
        d: reserveThenFailingCharge(saga),
      },
    );
    expect(registered.body.errors).toBeUndefined();
    const started = await app!.graphql<{ startRun: RunJson }>(
      `mutation ($d: String!, $input: JSON) { startRun(definition: $d, input: $input) { id status } }`,
      { d: saga, input: { sku: 'abc' } },
    );
    expect(started.body.errors).toBeUndefined();
    return started.body.data!.startRun.id;
  }

  it('closes a socket that sends a frame larger than /ws allows (1009), like /ws', async () => {
    const socket = new WebSocket(
      `${app!.sagaflow.url!.replace(/^http/, 'ws')}/graphql`,
      'graphql-transport-ws',
    );
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(128 * 1024));
    expect(await closed).toBe(1009);
  });

  it('follows a saga started by mutation to COMPENSATED: every event once, in seq order, as REST lists them', async () => {
    const id = await startSaga();
    const events = subscribe<{ runEvents: WireEvent }>(client, EVENTS, { id });
    const updates = subscribe<{ runUpdated: RunJson }>(client, UPDATES, { id });
    try {
      await eventually(
        async () => events.values.map((v) => v.runEvents.type),
        (types) => types.includes('RunCompensated') || events.errors.length > 0,
      );
      await eventually(
        async () => updates.values.at(-1)?.runUpdated.status,
        (status) => status === 'COMPENSATED' || updates.errors.length > 0,
      );
      expect(events.errors).toEqual([]);
      expect(updates.errors).toEqual([]);

      const listed = await restEvents(id);
      const received = events.values.map((v) => v.runEvents);
      expect(received).toEqual(listed);
      expect(received.map((e) => e.seq)).toEqual(listed.map((_, i) => i + 1));
      expect(received.filter((e) => e.type === 'TaskFailed' && e.taskKey === 'charge')).toHaveLength(3);
      expect(received.some((e) => e.type === 'CompensationCompleted' && e.taskKey === 'reserve')).toBe(true);

      // The run ends COMPENSATED, exactly as REST shows it; no two updates in a row are the same.
      const last = updates.values.at(-1)!.runUpdated;
      expect(last).toEqual(asGraphqlRun(await rest(`/v1/runs/${id}`)));
      const snapshots = updates.values.map((v) => JSON.stringify(v.runUpdated));
      expect(snapshots.every((s, i) => i === 0 || s !== snapshots[i - 1])).toBe(true);
    } finally {
      events.unsubscribe();
      updates.unsubscribe();
    }
  });

  it('replays only the events after `after`, and a finished run updates once, with its final state', async () => {
    const id = await startSaga();
    await eventually(
      async () => (await rest<RunJson>(`/v1/runs/${id}`)).status,
      (s) => s === 'COMPENSATED',
    );
    const listed = await restEvents(id);
    const after = 3;
    const events = subscribe<{ runEvents: WireEvent }>(client, EVENTS, { id, after });
    const updates = subscribe<{ runUpdated: RunJson }>(client, UPDATES, { id });
    try {
      await eventually(
        async () => events.values.length,
        (n) => n >= listed.length - after,
      );
      expect(events.values.map((v) => v.runEvents)).toEqual(listed.slice(after));
      await eventually(
        async () => updates.values.length,
        (n) => n >= 1,
      );
      expect(updates.values.map((v) => v.runUpdated.status)).toEqual(['COMPENSATED']);
    } finally {
      events.unsubscribe();
      updates.unsubscribe();
    }
  });

  it("completes runEvents after the run's terminal event, live and for a run already finished", async () => {
    const id = await startSaga();
    const live = subscribe<{ runEvents: WireEvent }>(client, EVENTS, { id });
    try {
      // graphql-ws's `complete` callback: the server completed the operation on its own.
      await eventually(
        async () => live.completed,
        (done) => done,
      );
      expect(live.errors).toEqual([]);
      const listed = await restEvents(id);
      expect(listed.at(-1)!.type).toBe('RunCompensated');
      expect(live.values.map((v) => v.runEvents)).toEqual(listed);
    } finally {
      live.unsubscribe();
    }

    for (const after of [2, (await restEvents(id)).length]) {
      const replay = subscribe<{ runEvents: WireEvent }>(client, EVENTS, { id, after });
      await eventually(
        async () => replay.completed,
        (done) => done,
      );
      expect(replay.errors).toEqual([]);
      expect(replay.values.map((v) => v.runEvents)).toEqual((await restEvents(id)).slice(after));
    }
  });

  it('answers an unknown or malformed run with NOT_FOUND', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-run']) {
      for (const query of [EVENTS, UPDATES]) {
        const sub = subscribe(client, query, { id });
        await eventually(
          async () => sub.completed,
          (done) => done,
        );
        expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
        expect(sub.values).toEqual([]);
      }
    }
  });

  it('unsubscribes from the feed when the client unsubscribes', async () => {
    const feed = app!.sagaflow.app.get<RunEventFeed>(RUN_EVENT_FEED);
    const original = feed.subscribeRun.bind(feed);
    const ended: FeedSubscription[] = [];
    const spy = jest.spyOn(feed, 'subscribeRun').mockImplementation(async (...args) => {
      const subscription = await original(...args);
      const wrapped = {
        unsubscribe: () => {
          ended.push(wrapped);
          subscription.unsubscribe();
        },
      };
      return wrapped;
    });
    try {
      const id = await startSaga();
      const events = subscribe<{ runEvents: WireEvent }>(client, EVENTS, { id });
      const updates = subscribe<{ runUpdated: RunJson }>(client, UPDATES, { id });
      await eventually(
        async () => events.values.length > 0 && updates.values.length > 0,
        (ready) => ready,
      );
      expect(spy).toHaveBeenCalledTimes(2);
      events.unsubscribe();
      updates.unsubscribe();
      await eventually(
        async () => ended.length,
        (n) => n === 2,
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('applies the alias and depth limits to subscriptions and queries over the socket, before any resolver', async () => {
    const feed = app!.sagaflow.app.get<RunEventFeed>(RUN_EVENT_FEED);
    const subscribeRun = jest.spyOn(feed, 'subscribeRun');
    const queries = jest.spyOn(QueryBus.prototype, 'execute');
    try {
      const aliases = Array.from({ length: 500 }, (_, i) => `t${i}: tasks { key }`).join(' ');
      const costly = subscribe(client, `subscription ($id: ID!) { runUpdated(runId: $id) { ${aliases} } }`, {
        id: '00000000-0000-4000-8000-000000000000',
      });
      let ofType = 'name';
      for (let i = 0; i < 20; i++) ofType = `ofType { ${ofType} }`;
      const deep = subscribe(
        client,
        `{ runs { items { id } } __type(name: "Run") { fields { type { ${ofType} } } } }`,
      );
      for (const sub of [costly, deep]) {
        await eventually(
          async () => sub.completed,
          (done) => done,
        );
        expect(sub.values).toEqual([]);
        expect(sub.errors).toHaveLength(1);
        expect(sub.errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
      expect(costly.errors[0]!.message).toMatch(/more than 50 aliases/);
      expect(deep.errors[0]!.message).toMatch(/at most 20/);
      expect(subscribeRun).not.toHaveBeenCalled();
      expect(queries).not.toHaveBeenCalled();
    } finally {
      subscribeRun.mockRestore();
      queries.mockRestore();
    }
  });

  it('answers queries and mutations over the socket too, with the same error codes', async () => {
    const sub = subscribe<{ run: null; definitions: unknown[] }>(
      client,
      `{ run(id: "00000000-0000-4000-8000-000000000000") { id } definitions { name } }`,
    );
    await eventually(
      async () => sub.completed,
      (done) => done,
    );
    expect(sub.values).toEqual([{ run: null, definitions: expect.any(Array) }]);
    const bad = subscribe(client, `mutation { cancelRun(id: "nope") { id } }`);
    await eventually(
      async () => bad.completed,
      (done) => done,
    );
    expect(bad.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const variables = subscribe(client, `query ($n: Int) { runs(first: $n) { nextCursor } }`, { n: 'ten' });
    await eventually(
      async () => variables.completed,
      (done) => done,
    );
    expect(variables.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('closes its clients (1001 Going Away) when the application shuts down, with other upgraded sockets open', async () => {
    const id = await startSaga();
    const events = subscribe<{ runEvents: WireEvent }>(client, EVENTS, { id });
    await eventually(
      async () => events.values.length,
      (n) => n > 0,
    );
    // A socket handed to another upgrade route that never closes it: Apollo's own drain
    // (closing Fastify at module destroy) would wait for it forever.
    const held = new WebSocketServer({ noServer: true });
    app!.sagaflow.app
      .get(UpgradeRoutes)
      .register('/held', (request, socket, head) =>
        held.handleUpgrade(request, socket, head, (ws) => held.emit('connection', ws, request)),
      );
    const holder = new WebSocket(`${app!.sagaflow.url!.replace(/^http/, 'ws')}/held`);
    const holderClosed = new Promise<void>((resolve) => holder.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => holder.once('open', () => resolve()).once('error', reject));
    const closing = app!;
    app = null;
    await closing.close();
    await eventually(
      async () => ws.closes,
      (closes) => closes.length > 0,
    );
    expect(ws.closes[0]!.code).toBe(1001);
    await holderClosed;
  });
});
