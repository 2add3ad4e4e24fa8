import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { UpgradeRoutes } from '../../../src/interfaces/realtime/upgrade-routes.js';
import { cleanup, isolatedConfig, startApp } from '../../integration/support/harness.js';
import { TestClient, upgradeStatus } from './ws-client.js';

const config = isolatedConfig('wsupgrade', ['api']);
let app: SagaflowApp | null = null;
let wsUrl = '';

beforeAll(async () => {
  app = await startApp(config);
  wsUrl = app.url!.replace('http://', 'ws://');
});
afterAll(async () => {
  await cleanup(app, config, []);
});

describe('HTTP upgrades on the api port', () => {
  it('refuses an upgrade to a path nobody serves with a 404', async () => {
    expect(await upgradeStatus(`${wsUrl}/nope`)).toBe(404);
    expect(await upgradeStatus(`${wsUrl}/v1/runs`)).toBe(404);
  });

  it('hands an upgrade for a registered path to its handler', async () => {
    const echo = new WebSocketServer({ noServer: true });
    echo.on('connection', (socket: WebSocket) => socket.on('message', (data) => socket.send(data)));
    app!.app
      .get(UpgradeRoutes)
      .register('/echo', (request, socket, head) =>
        echo.handleUpgrade(request, socket, head, (ws) => echo.emit('connection', ws, request)),
      );
    const client = await TestClient.connect(`${wsUrl}/echo?x=1`);
    client.send({ type: 'ping-through' });
    expect(await client.next((f) => f.type === 'ping-through')).toEqual({ type: 'ping-through' });
    // Left open on purpose: the graceful shutdown below must not wait for it.
  });

  it('closes the app with a handed-off socket open and after a refused upgrade', async () => {
    const stuck = await TestClient.connect(`${wsUrl}/echo`);
    expect(await upgradeStatus(`${wsUrl}/unknown`)).toBe(404);
    await app!.close();
    expect((await stuck.waitClosed()).code).toBe(1006);
  });
});
