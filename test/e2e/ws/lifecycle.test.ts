import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { UpgradeRoutes } from '../../../src/interfaces/realtime/upgrade-routes.js';
import { RunEventsGateway } from '../../../src/interfaces/ws/run-events.gateway.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { TestClient, upgradeStatus, wsUrlOf } from './ws-client.js';

/**
 * The socket side of `/ws`: which upgrades the api port accepts, heartbeats, and a graceful
 * shutdown that no open or refused socket can hold up (docs/architecture.md#toolchain-facts: an ignored upgrade made
 * SIGTERM hang). An api-only process is enough: nothing here needs a run to progress.
 */
const config = isolatedConfig('wslife', ['api']);
let app: SagaflowApp | null = null;
let base = '';

beforeAll(async () => {
  app = await createApp(config, { ws: { heartbeatIntervalMs: 200 } });
  base = app.url!.replace('http://', 'ws://');
});
afterAll(async () => {
  await cleanup(app, config, []);
});

describe('HTTP upgrades on the api port', () => {
  it('accepts /ws and refuses a path nobody serves with a 404', async () => {
    expect(await upgradeStatus(`${base}/ws`)).toBe(101);
    expect(await upgradeStatus(`${base}/ws?token=x`)).toBe(101);
    expect(await upgradeStatus(`${base}/nope`)).toBe(404);
    expect(await upgradeStatus(`${base}/v1/runs`)).toBe(404);
    expect(await upgradeStatus(`${base}/ws/extra`)).toBe(404);
  });

  it('hands an upgrade for a path registered in UpgradeRoutes to its handler', async () => {
    const echo = new WebSocketServer({ noServer: true });
    echo.on('connection', (socket: WebSocket) => socket.on('message', (data) => socket.send(data)));
    app!.app
      .get(UpgradeRoutes)
      .register('/echo', (request, socket, head) =>
        echo.handleUpgrade(request, socket, head, (ws) => echo.emit('connection', ws, request)),
      );
    const client = await TestClient.connect(`${base}/echo?x=1`);
    client.send({ type: 'through' });
    expect(await client.next((f) => f.type === 'through')).toEqual({ type: 'through' });
    client.terminate();
  });
});

describe('heartbeats', () => {
  it('pings clients with WebSocket ping frames and keeps those that answer', async () => {
    const client = await TestClient.connect(wsUrlOf(app!.url!));
    await eventually(
      async () => client.pings,
      (pings) => pings >= 3,
    );
    expect(client.isOpen).toBe(true);
    expect(client.frames).toEqual([]); // heartbeats are never JSON frames
    client.terminate();
  });

  it('terminates a socket that misses a pong, releasing its subscriptions', async () => {
    const gateway = app!.app.get(RunEventsGateway);
    const before = gateway.subscriptionCount;
    const silent = await TestClient.connect(wsUrlOf(app!.url!), { autoPong: false });
    expect(await silent.request({ type: 'subscribe', definition: 'quiet-one' })).toEqual({
      type: 'subscribed',
      definition: 'quiet-one',
    });
    expect(gateway.subscriptionCount).toBe(before + 1);
    // Terminated, not closed: the server sends no close frame to a peer it considers dead.
    expect((await silent.waitClosed()).code).toBe(1006);
    expect(silent.pings).toBeGreaterThanOrEqual(1);
    await eventually(
      async () => gateway.subscriptionCount,
      (count) => count === before,
    );
  });
});

describe('graceful shutdown', () => {
  it('closes with /ws and handed-off sockets open and after a refused upgrade', async () => {
    const watchers = await Promise.all([1, 2].map(() => TestClient.connect(wsUrlOf(app!.url!))));
    expect(await watchers[0]!.request({ type: 'subscribe', definition: 'anything' })).toMatchObject({
      type: 'subscribed',
    });
    const handedOff = await TestClient.connect(`${base}/echo`);
    expect(await upgradeStatus(`${base}/unknown`)).toBe(404);

    await app!.close();

    for (const watcher of watchers) {
      // 1001 "going away" when the close frame gets out before the adapter terminates the socket.
      expect([1001, 1006]).toContain((await watcher.waitClosed()).code);
    }
    expect((await handedOff.waitClosed()).code).toBe(1006);
  });
});
