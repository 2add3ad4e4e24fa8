import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cleanup, isolatedConfig } from '../../integration/support/harness.js';
import { ensureBuilt, killAll, SagaflowChild } from '../support/processes.js';
import { TestClient, upgradeStatus, wsUrlOf } from './ws-client.js';

/**
 * docs/architecture.md#toolchain-facts: with an adapter that ignored upgrades to unknown paths, one such request made
 * SIGTERM hang forever. The real entry point (`dist/src/main.js`) must exit on SIGTERM with
 * `/ws` watchers connected and after a refused upgrade, by the signal itself and not by the
 * SIGKILL that `stop` escalates to after its grace period.
 */
const config = isolatedConfig('wsterm', ['api']);
const children: SagaflowChild[] = [];

beforeAll(() => ensureBuilt());
afterAll(async () => {
  await killAll(children);
  await cleanup(null, config, []);
});

describe('SIGTERM with WebSocket clients', () => {
  it('exits by the signal with /ws sockets open and after a refused upgrade', async () => {
    const child = await SagaflowChild.start(
      { name: 'api', roles: ['api'], config, instanceId: 'ws-term' },
      children,
    );
    // The start line is JSON: the URL ends at the closing quote of its message.
    const url = /running roles \S+ on (http:\/\/[^\s"]+)/.exec(child.tail)?.[1];
    expect(url).toBeDefined();
    const watchers = await Promise.all([1, 2].map(() => TestClient.connect(wsUrlOf(url!))));
    expect(await watchers[0]!.request({ type: 'subscribe', definition: 'anything' })).toMatchObject({
      type: 'subscribed',
    });
    expect(await upgradeStatus(`${url!.replace('http', 'ws')}/elsewhere`)).toBe(404);

    await child.stop(30_000);

    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    for (const watcher of watchers) expect([1001, 1006]).toContain((await watcher.waitClosed()).code);
  });
});
