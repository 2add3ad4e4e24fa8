import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { eventually } from '../../integration/support/harness.js';
import { TestClient } from '../ws/ws-client.js';
import { ADMIN_KEY, SECRET, hsToken, startAuthApp, type AuthApp } from './support/auth-app.js';

const UNKNOWN_RUN = '00000000-0000-4000-8000-000000000000';

/** /ws and graphql-ws with auth on (docs/security.md#authentication-and-roles). */
describe('WebSocket authentication', () => {
  let app: AuthApp;
  let wsUrl: string;
  beforeAll(async () => {
    app = await startAuthApp({ secret: SECRET }, 'wsauth', { ws: { authTimeoutMs: 300 } });
    wsUrl = `${app.url.replace('http', 'ws')}/ws`;
  });
  afterAll(() => app.close());

  const closed = (client: TestClient) =>
    eventually(
      async () => client.closed,
      (c) => c !== null,
      10,
    );

  it('closes a connection that sends no credential with 4401', async () => {
    const client = await TestClient.connect(wsUrl);
    expect((await closed(client))?.code).toBe(4401);
  });

  it('closes with 4401 when the first frame is not the auth frame, or its token is bad', async () => {
    const early = await TestClient.connect(wsUrl);
    early.send({ type: 'subscribe', runId: UNKNOWN_RUN });
    expect((await closed(early))?.code).toBe(4401);
    const bad = await TestClient.connect(wsUrl);
    bad.send({ type: 'auth', token: 'sf_not_a_key' });
    expect((await closed(bad))?.code).toBe(4401);
  });

  it('takes the credential from the upgrade header or the auth frame', async () => {
    const viewer = await hsToken(SECRET, { roles: ['viewer'] });
    const byHeader = await TestClient.connect(wsUrl, { headers: { authorization: `Bearer ${viewer}` } });
    const answer = await byHeader.request({ type: 'subscribe', runId: UNKNOWN_RUN });
    expect(answer).toMatchObject({ type: 'error', message: `unknown run ${UNKNOWN_RUN}` });
    byHeader.socket.close();
    const byFrame = await TestClient.connect(wsUrl);
    byFrame.send({ type: 'auth', token: ADMIN_KEY });
    const second = await byFrame.request({ type: 'subscribe', runId: UNKNOWN_RUN });
    expect(second).toMatchObject({ type: 'error', message: `unknown run ${UNKNOWN_RUN}` });
    byFrame.socket.close();
  });

  it('refuses frames a role or a namespace does not allow', async () => {
    const worker = await hsToken(SECRET, { roles: ['worker'] });
    const client = await TestClient.connect(wsUrl, { headers: { authorization: `Bearer ${worker}` } });
    expect(await client.request({ type: 'subscribe', runId: UNKNOWN_RUN })).toMatchObject({
      type: 'error',
      message: 'ws:subscribe needs the viewer role',
    });
    client.socket.close();
    const teamA = await hsToken(SECRET, { roles: ['viewer'], namespaces: ['team-a'] });
    const other = await TestClient.connect(wsUrl, { headers: { authorization: `Bearer ${teamA}` } });
    expect(await other.request({ type: 'subscribe', runId: UNKNOWN_RUN, namespace: 'team-b' })).toMatchObject(
      {
        type: 'error',
        message: 'namespace "team-b" is not granted to this credential',
      },
    );
    other.socket.close();
  });

  it('closes a connection with 4401 when its JWT expires', async () => {
    const shortLived = await hsToken(SECRET, {
      roles: ['viewer'],
      expiresIn: Math.floor(Date.now() / 1000) + 2,
    });
    const client = await TestClient.connect(wsUrl, { headers: { authorization: `Bearer ${shortLived}` } });
    expect((await closed(client))?.code).toBe(4401);
  });

  it('graphql-ws: a missing or bad connection_init authorization closes with 4403', async () => {
    for (const payload of [{}, { authorization: 'Bearer nope' }]) {
      const socket = new WebSocket(`${app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      const code = await new Promise<number>((resolve, reject) => {
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
        socket.once('close', (c) => resolve(c));
        socket.once('error', reject);
      });
      expect(code).toBe(4403);
    }
  });

  it('graphql-ws: a good authorization is acknowledged', async () => {
    const viewer = await hsToken(SECRET, { roles: ['viewer'] });
    const socket = new WebSocket(`${app.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const first = await new Promise<string>((resolve, reject) => {
      socket.once('open', () =>
        socket.send(
          JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${viewer}` } }),
        ),
      );
      socket.once('message', (data) =>
        resolve((JSON.parse((data as Buffer).toString('utf8')) as { type: string }).type),
      );
      socket.once('error', reject);
    });
    expect(first).toBe('connection_ack');
    socket.close();
  });
});
