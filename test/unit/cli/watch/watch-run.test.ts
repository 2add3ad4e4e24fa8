import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiClient, ApiProblem, ApiUnreachable } from '../../../../src/interfaces/cli/api-client.js';
import type { EventJson, RunJson } from '../../../../src/interfaces/cli/watch/run-json.js';
import { watchRun, type WatchOptions } from '../../../../src/interfaces/cli/watch/watch-run.js';
import { Capture } from './capture.js';
import { compensatedRun, compensationEvents, completedRun, event, RUN_ID } from './run-fixtures.js';

/**
 * `watchRun` against a scripted API on loopback: an HTTP server for `GET /v1/runs/{id}` and a `ws`
 * server on `/ws` whose every connection follows the next script of the test. What the scripts do
 * is what docs/ws-protocol.md lets a server do: drop, repeat, close, refuse.
 */
type Script = (socket: WebSocket, subscribe: Record<string, unknown>) => void;

interface FakeApi {
  client: ApiClient;
  subscribes: Record<string, unknown>[];
  upgrades: IncomingHttpHeaders[];
  runReads: number;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function fakeApi(
  run: RunJson,
  scripts: Script[],
  options: { refuseUpgrades?: number } = {},
): Promise<FakeApi> {
  const api: Omit<FakeApi, 'client'> = { subscribes: [], upgrades: [], runReads: 0 };
  const server = createServer((request, response) => {
    if (request.url === `/v1/runs/${RUN_ID}`) {
      api.runReads += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(run));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/problem+json' });
    response.end(JSON.stringify({ status: 404, title: 'Not Found', detail: `unknown run ${request.url}` }));
  });
  servers.push(server);
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    api.upgrades.push(request.headers);
    if (options.refuseUpgrades !== undefined && api.upgrades.length <= options.refuseUpgrades) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const script = scripts.shift();
      ws.once('message', (data) => {
        const frame = JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>;
        api.subscribes.push(frame);
        if (script) script(ws, frame);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new ApiClient({ url: `http://127.0.0.1:${port}`, apiKey: 'sfk_test', namespace: 'team-a' });
  return Object.assign(api, { client });
}

const send = (socket: WebSocket, frame: unknown) => socket.send(JSON.stringify(frame));
const subscribed = (socket: WebSocket) => send(socket, { type: 'subscribed', runId: RUN_ID });
const events = (socket: WebSocket, list: EventJson[]) => {
  for (const e of list) send(socket, { type: 'event', runId: RUN_ID, event: e });
};
const end = (socket: WebSocket, seq: number, status: string) =>
  send(socket, { type: 'end', runId: RUN_ID, seq, status });
const upTo = (seq: number) => compensationEvents.filter((e) => e.seq <= seq);
const fast = { initialDelayMs: 1, maxDelayMs: 5 };

function watch(api: FakeApi, extra: Partial<WatchOptions> = {}) {
  const out = (extra.out as Capture | undefined) ?? new Capture(false);
  const seen: number[] = [];
  const afters: number[] = [];
  const result = watchRun({
    client: api.client,
    runId: RUN_ID,
    out,
    color: false,
    json: false,
    onEvent: (e) => seen.push(e.seq),
    onSubscribe: (after) => afters.push(after),
    reconnect: fast,
    ...extra,
  });
  return { out, seen, afters, result };
}

describe('watchRun over a scripted API', () => {
  it('resumes a dropped connection from the last seq and shows each event once', async () => {
    const api = await fakeApi(compensatedRun, [
      (ws) => {
        subscribed(ws);
        events(ws, upTo(6));
        setImmediate(() => ws.terminate());
      },
      (ws) => {
        subscribed(ws);
        events(ws, upTo(17).slice(4)); // the server may repeat what the client saw: 5 and 6
        end(ws, 17, 'COMPENSATED');
      },
    ]);
    const { out, seen, afters, result } = watch(api);
    expect(await result).toBe(3);
    expect(seen).toEqual(compensationEvents.map((e) => e.seq));
    expect(afters).toEqual([0, 6]);
    expect(api.subscribes).toEqual([
      { type: 'subscribe', runId: RUN_ID, after: 0, namespace: 'team-a' },
      { type: 'subscribe', runId: RUN_ID, after: 6, namespace: 'team-a' },
    ]);
    for (const headers of api.upgrades) {
      expect(headers).toMatchObject({ authorization: 'ApiKey sfk_test', 'sagaflow-namespace': 'team-a' });
    }
    const lines = out.text.split('\n');
    expect(lines.filter((line) => line.includes('  reserve  compensation  COMPLETED'))).toHaveLength(1);
    expect(lines.filter((line) => / charge +RUNNING +attempt 1$/.test(line))).toHaveLength(1);
    expect(out.text).toContain('compensation, in reverse order');
  });

  it('resubscribes from its cursor when an event arrives ahead of its predecessors', async () => {
    const api = await fakeApi(completedRun, [
      (ws) => {
        subscribed(ws);
        events(ws, [
          event(1, 'RunStarted', null, null),
          event(2, 'TaskQueued', 'reserve', 1),
          event(4, 'TaskCompleted', 'reserve', 1),
        ]);
      },
      (ws) => {
        subscribed(ws);
        events(ws, [
          event(3, 'TaskStarted', 'reserve', 1),
          event(4, 'TaskCompleted', 'reserve', 1),
          event(5, 'RunCompleted', null, null),
        ]);
        end(ws, 5, 'COMPLETED');
      },
    ]);
    const { seen, afters, result } = watch(api);
    expect(await result).toBe(0);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(afters).toEqual([0, 2]);
  });

  it('retries a refused upgrade, a failed feed and a silent socket, with the same cursor', async () => {
    const api = await fakeApi(
      completedRun,
      [
        (ws) => send(ws, { type: 'error', runId: RUN_ID, message: `could not subscribe to run ${RUN_ID}` }),
        (ws) => subscribed(ws), // then nothing: no frame, no ping
        (ws) => {
          subscribed(ws);
          events(ws, [event(1, 'RunStarted', null, null), event(2, 'RunCompleted', null, null)]);
          end(ws, 2, 'COMPLETED');
        },
      ],
      { refuseUpgrades: 2 },
    );
    const { seen, afters, result } = watch(api, { reconnect: { ...fast, idleTimeoutMs: 50 } });
    expect(await result).toBe(0);
    expect(seen).toEqual([1, 2]);
    expect(afters).toEqual([0, 0, 0, 0, 0]);
    expect(api.upgrades).toHaveLength(5);
  });

  it('prints exactly one JSON document with --json: the run as GET returned it', async () => {
    const api = await fakeApi(completedRun, [
      (ws) => {
        subscribed(ws);
        events(ws, [event(1, 'RunStarted', null, null), event(2, 'RunCompleted', null, null)]);
        end(ws, 2, 'COMPLETED');
      },
    ]);
    const out = new Capture(true, 80, 24);
    const { result } = watch(api, {
      json: true,
      out,
      onEvent: () => expect(out.chunks).toEqual([]), // nothing while watching
    });
    expect(await result).toBe(0);
    expect(out.chunks).toHaveLength(1);
    expect(out.text).not.toContain('\u001b');
    expect(JSON.parse(out.text)).toEqual(completedRun);
  });

  it('reports an unknown run and a refused credential instead of retrying', async () => {
    const unknown = await fakeApi(completedRun, [
      (ws) => send(ws, { type: 'error', runId: RUN_ID, message: `unknown run ${RUN_ID}` }),
    ]);
    const refused = watch(unknown).result;
    await expect(refused).rejects.toBeInstanceOf(ApiProblem);
    await expect(refused).rejects.toMatchObject({ status: 404, message: `unknown run ${RUN_ID}` });

    const closed = await fakeApi(completedRun, [(ws) => ws.close(4401, 'the token has expired')]);
    await expect(watch(closed).result).rejects.toMatchObject({
      status: 401,
      message: 'the token has expired',
    });
    expect(closed.upgrades).toHaveLength(1);
  });

  it('gives up with ApiUnreachable when no connection is accepted for giveUpAfterMs', async () => {
    const api = await fakeApi(completedRun, [], { refuseUpgrades: Number.MAX_SAFE_INTEGER });
    const { result } = watch(api, { reconnect: { ...fast, giveUpAfterMs: 30 } });
    await expect(result).rejects.toBeInstanceOf(ApiUnreachable);
    await expect(result).rejects.toThrow(/the \/ws upgrade was answered HTTP 503/);
  });

  it('throws the API problem of the first read', async () => {
    const api = await fakeApi(completedRun, []);
    const result = watchRun({
      client: api.client,
      runId: 'nope',
      out: new Capture(),
      color: false,
      json: false,
    });
    await expect(result).rejects.toMatchObject({ name: 'ApiProblem', status: 404 });
    expect(api.upgrades).toHaveLength(0);
  });

  it('rejects with what a hook threw, and closes the socket', async () => {
    let closed = false;
    const api = await fakeApi(completedRun, [
      (ws) => {
        ws.on('close', () => (closed = true));
        subscribed(ws);
        events(ws, [event(1, 'RunStarted', null, null)]);
      },
    ]);
    const broken = new Error('hook broke');
    const { result } = watch(api, {
      onEvent: () => {
        throw broken;
      },
    });
    await expect(result).rejects.toBe(broken);
    // The server sees the socket close (a leak would hold this until the jest timeout).
    await new Promise<void>((resolve) => {
      const check = () => (closed ? resolve() : setTimeout(check, 5));
      check();
    });
  });

  it('stops when its signal is aborted, with the signal reason', async () => {
    const controller = new AbortController();
    const api = await fakeApi(completedRun, [
      (ws) => {
        subscribed(ws);
        events(ws, [event(1, 'RunStarted', null, null)]);
      },
    ]);
    const reason = new Error('interrupted');
    const { result } = watch(api, {
      signal: controller.signal,
      onEvent: () => controller.abort(reason),
    });
    await expect(result).rejects.toBe(reason);
  });
});
