import {
  parseRegisterDefinition,
  parseValidateDefinition,
} from '../../../src/application/contracts/requests/definition-body.js';
/**
 * Warnings for task types no live worker serves (docs/contract.md#workflow-definitions), on the
 * validate and register use cases with an in-memory worker directory and a manual clock.
 */
import { describe, expect, it } from '@jest/globals';
import { localAdmin } from '../../../src/application/actor.js';
import {
  RegisterDefinitionCommand,
  RegisterDefinitionHandler,
} from '../../../src/application/commands/register-definition.js';
import {
  ValidateDefinitionHandler,
  ValidateDefinitionQuery,
} from '../../../src/application/queries/validate-definition.js';
import {
  InMemoryDefinitions,
  InMemoryWorkerDirectory,
  ManualClock,
} from '../../support/fakes/in-memory-ports.js';

const actor = localAdmin();

function given() {
  const clock = new ManualClock();
  const workers = new InMemoryWorkerDirectory(clock, 30_000);
  const definitions = new InMemoryDefinitions(clock);
  return {
    clock,
    workers,
    definitions,
    validate: (body: unknown) =>
      new ValidateDefinitionHandler(workers).execute(
        new ValidateDefinitionQuery(actor, parseValidateDefinition(body)),
      ),
    register: (body: unknown) =>
      new RegisterDefinitionHandler(definitions, workers).execute(
        new RegisterDefinitionCommand(actor, parseRegisterDefinition(body)),
      ),
  };
}

const definition = {
  name: 'shipping',
  tasks: [
    { key: 'pack', type: 'echo' },
    { key: 'wait', type: 'delay', dependsOn: ['pack'], input: { ms: 10 } },
    { key: 'ship', type: 'carrier', dependsOn: ['wait'], compensation: { type: 'recall' } },
  ],
};

describe('unserved task types', () => {
  it('warns about each task and compensation type no worker announced; delay needs no worker', async () => {
    const { workers, validate } = given();
    await workers.announce('w1', ['noop', 'echo', 'http']);
    const report = await validate(definition);
    expect(report.valid).toBe(true);
    expect(report.warnings).toEqual([
      { path: 'tasks[2].type', message: 'no worker serves task type "carrier" (seen in the last 30 s)' },
      {
        path: 'tasks[2].compensation.type',
        message: 'no worker serves task type "recall" (seen in the last 30 s)',
      },
    ]);
  });

  it('has no warnings key when every type is served', async () => {
    const { workers, validate } = given();
    await workers.announce('w1', ['echo']);
    await workers.announce('w2', ['carrier', 'recall']);
    const report = await validate(definition);
    expect(report).toEqual({ valid: true, errors: [], plan: expect.anything() });
    expect(Object.keys(report)).not.toContain('warnings');
  });

  it('stops counting an announcement older than the live window', async () => {
    const { clock, workers, validate } = given();
    await workers.announce('w1', ['echo', 'carrier', 'recall']);
    clock.advance(20_000);
    await workers.announce('w2', ['echo']);
    clock.advance(15_000);
    const report = await validate(definition);
    expect(report.warnings?.map((w) => w.path)).toEqual(['tasks[2].type', 'tasks[2].compensation.type']);
  });

  it('registers all the same, with the warnings in the result', async () => {
    const { definitions, register } = given();
    const result = await register(definition);
    expect(result.created).toBe(true);
    expect(await definitions.find('default', 'shipping')).not.toBeNull();
    expect(result.warnings.map((w) => w.path)).toEqual([
      'tasks[0].type',
      'tasks[2].type',
      'tasks[2].compensation.type',
    ]);
  });

  it('says so in a warning when the heartbeats cannot be read, and still validates', async () => {
    const { workers, validate } = given();
    workers.failure = new Error('connection refused');
    const report = await validate(definition);
    expect(report.valid).toBe(true);
    expect(report.warnings).toEqual([
      {
        path: 'tasks',
        message: 'served task types not checked: worker heartbeats unavailable (connection refused)',
      },
    ]);
  });

  it('reports no warnings for an invalid definition, only its errors', async () => {
    const { validate } = given();
    const report = await validate({ name: 'broken', tasks: [] });
    expect(report.valid).toBe(false);
    expect(report.warnings).toBeUndefined();
  });
});
