import { SILENT_TASK_LOGGER } from '../../../src/interfaces/worker/test-handler.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import type { TaskMessage } from '../../../src/application/ports/messages.js';
import {
  HandlerRegistry,
  createDefaultRegistry,
  loadHandlerModules,
  parseHandlerSpecifiers,
  type TaskContext,
} from '../../../src/interfaces/worker/index.js';
import { TaskExecutor } from '../../../src/interfaces/worker/task-executor.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

const ctx: TaskContext = {
  runId: 'r',
  taskKey: 't',
  kind: 'task',
  attempt: 1,
  idempotencyKey: 'r:t',
  signal: new AbortController().signal,
  logger: SILENT_TASK_LOGGER,
};

describe('HandlerRegistry', () => {
  it('registers, finds and lists handlers', () => {
    const registry = new HandlerRegistry().register('a.b-c_1', async () => 1).register('b', async () => 2);
    expect(registry.types()).toEqual(['a.b-c_1', 'b']);
    expect(registry.get('a.b-c_1')).toBeDefined();
    expect(registry.get('missing')).toBeUndefined();
  });

  it('rejects duplicates, invalid names and the orchestrator-run delay', () => {
    const registry = new HandlerRegistry().register('x', async () => null);
    expect(() => registry.register('x', async () => null)).toThrow(/already registered/);
    for (const bad of ['', 'has space', 'a/b', 'x'.repeat(65), 'é']) {
      expect(() => registry.register(bad, async () => null)).toThrow(/invalid task type name/);
    }
    expect(() => registry.register('delay', async () => null)).toThrow(/orchestrator/);
  });

  it('runs close hooks once, last first, and reports their failures together', async () => {
    const order: string[] = [];
    const registry = new HandlerRegistry()
      .onClose(() => {
        order.push('first');
      })
      .onClose(() => {
        order.push('second');
        throw new Error('hook failed');
      });
    await expect(registry.close()).rejects.toThrow(AggregateError);
    await registry.close();
    expect(order).toEqual(['second', 'first']);
  });
});

describe('createDefaultRegistry', () => {
  it('has noop, echo and http but not delay', async () => {
    const registry = createDefaultRegistry();
    try {
      expect(registry.types().sort()).toEqual(['echo', 'http', 'noop']);
      expect(await registry.get('noop')?.({ a: 1 }, ctx)).toEqual({});
      expect(await registry.get('echo')?.({ a: [1, 'x', null] }, ctx)).toEqual({ a: [1, 'x', null] });
    } finally {
      await registry.close();
    }
  });
});

describe('loadHandlerModules', () => {
  it('parses the SAGAFLOW_HANDLERS comma list', () => {
    expect(parseHandlerSpecifiers(' ./a.js, @acme/h ,,')).toEqual(['./a.js', '@acme/h']);
    expect(parseHandlerSpecifiers(undefined)).toEqual([]);
  });

  it('loads a default-export module and a handlers-object module', async () => {
    const registry = new HandlerRegistry();
    // A relative specifier resolves against the working directory, which jest sets to the project root.
    await loadHandlerModules(registry, [
      join(fixtures, 'setup-handlers.ts'),
      './test/unit/worker/fixtures/handlers-object.ts',
    ]);
    expect(registry.types()).toEqual(['greet', 'double']);

    const executor = new TaskExecutor({ registry });
    const message: TaskMessage = {
      runId: 'r',
      taskKey: 't',
      kind: 'task',
      attempt: 1,
      type: 'greet',
      input: { name: 'Ada' },
      idempotencyKey: 'r:t',
      timeoutMs: 5000,
      priority: 5,
      queuedAt: new Date().toISOString(),
    };
    expect(await executor.execute(message)).toMatchObject({
      outcome: 'completed',
      output: { greeting: 'hello Ada' },
    });
  });

  it('names a module that exports no handlers, or that cannot be found', async () => {
    const registry = new HandlerRegistry();
    const empty = join(fixtures, 'exports-nothing.ts');
    await expect(loadHandlerModules(registry, [empty])).rejects.toThrow(
      /exports-nothing\.ts.*exports neither/,
    );
    const missing = join(fixtures, 'no-such-module.ts');
    await expect(loadHandlerModules(registry, [missing])).rejects.toThrow(
      /cannot load handler module .*no-such-module/,
    );
  });

  it('fails when a module registers a type that exists already', async () => {
    const registry = new HandlerRegistry().register('greet', async () => null);
    await expect(loadHandlerModules(registry, [join(fixtures, 'setup-handlers.ts')])).rejects.toThrow(
      /setup-handlers\.ts.*already registered/,
    );
  });
});
