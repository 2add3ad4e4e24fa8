import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../src/app/create-app.js';
import {
  cleanup,
  events,
  isolatedConfig,
  register,
  startApp,
  startRun,
  waitForStatus,
} from './support/harness.js';

const config = isolatedConfig('flows');
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startApp(config);
});
afterAll(async () => {
  await cleanup(app, config, ['noop', 'echo', 'http']);
});

describe('engine flows on PostgreSQL + RabbitMQ', () => {
  it('runs a chain to completion with gapless events', async () => {
    await register(app!, {
      name: 'chain',
      tasks: [
        { key: 'a', type: 'echo', input: { v: '${input.v}' } },
        { key: 'b', type: 'echo', dependsOn: ['a'], input: { v: '${tasks.a.output.v}' } },
        { key: 'c', type: 'noop', dependsOn: ['b'] },
      ],
    });
    const id = await startRun(app!, { definition: 'chain', input: { v: 42 } });
    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('COMPLETED');
    expect(run.tasks.map((t) => t.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(run.tasks[1]!.output).toEqual({ v: 42 });
    const seqs = (await events(app!, id)).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
