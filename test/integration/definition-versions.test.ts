import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../src/app/create-app.js';
import { buses, cleanup, isolatedConfig, register, startApp } from './support/harness.js';
import { StartRunCommand } from '../../src/application/commands/start-run.js';
import type { RunView } from '../../src/application/queries/run-view.js';
import { localAdmin } from '../../src/application/actor.js';
import { parseStartRun } from '../../src/application/contracts/requests/start-run.js';

const config = isolatedConfig('versions', ['relay']);
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startApp(config);
});
afterAll(async () => {
  await cleanup(app, config, ['noop']);
});

const start = async (body: unknown) =>
  (
    await buses(app!).commands.execute<StartRunCommand, { run: RunView }>(
      new StartRunCommand(localAdmin(), parseStartRun(body)),
    )
  ).run;

describe('starting a run by name uses the latest version', () => {
  it('picks up a version registered after the process cached the previous latest', async () => {
    await register(app!, { name: 'versions', tasks: [{ key: 'a', type: 'noop' }] });
    expect((await start({ definition: 'versions' })).definition).toEqual({ name: 'versions', version: 1 });
    await register(app!, { name: 'versions', tasks: [{ key: 'b', type: 'noop' }] });
    const second = await start({ definition: 'versions' });
    expect(second.definition).toEqual({ name: 'versions', version: 2 });
    expect(second.tasks.map((t) => t.key)).toEqual(['b']);
    expect((await start({ definition: 'versions', version: 1 })).tasks.map((t) => t.key)).toEqual(['a']);
  });
});
