import { describe, expect, it } from '@jest/globals';

import { checkDefinition } from '../../../src/application/contracts/requests/definition-body.js';
import { MAX_TASKS } from '../../../src/domain/definition/definition-validator.js';
import { planOf } from '../../../src/domain/definition/plan.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/domain/definition/retry-policy.js';
import { canonicalDefinitionJson } from '../../../src/domain/definition/workflow-definition.js';
import type { ValidationIssue } from '../../../src/domain/shared/domain-error.js';
import { definitionOf, saga, task } from '../domain/support/builders.js';

function errorsOf(raw: unknown, base?: string): ValidationIssue[] {
  const result = checkDefinition(raw, base);
  if (result.valid) throw new Error('expected the definition to be invalid');
  expect(result.definition).toBeNull();
  return result.errors;
}

function pathsOf(raw: unknown): string[] {
  return errorsOf(raw).map((e) => e.path);
}

const wf = (tasks: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'wf', tasks, ...extra });

describe('checkDefinition: shape', () => {
  it('accepts the example of docs/contract.md#workflow-definitions', () => {
    const result = checkDefinition({
      name: 'order-fulfilment',
      version: 3,
      description: 'optional',
      tasks: [
        {
          key: 'reserve',
          type: 'http',
          input: { method: 'POST', url: 'http://stock/reserve', body: { sku: '${input.sku}' } },
          compensation: {
            type: 'http',
            input: {
              method: 'POST',
              url: 'http://stock/release',
              body: { reservation: '${tasks.reserve.output.body.id}' },
            },
          },
        },
        {
          key: 'charge',
          type: 'http',
          dependsOn: ['reserve'],
          retry: {
            maxAttempts: 5,
            initialIntervalMs: 200,
            backoffCoefficient: 2,
            maxIntervalMs: 10000,
            jitter: 0.2,
          },
          timeoutMs: 15000,
          priority: 7,
          input: { method: 'POST', url: 'http://pay/charge', body: { amount: '${input.amount}' } },
        },
      ],
      output: { charge: '${tasks.charge.output.body}' },
    });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.definition?.version).toBe(3);
    expect(result.definition?.tasks[1]).toMatchObject({ timeoutMs: 15000, priority: 7 });
  });

  it('rejects a body that is not an object', () => {
    expect(errorsOf([1, 2])).toEqual([{ path: '$', message: expect.any(String) }]);
    expect(errorsOf('x', 'definition')).toEqual([{ path: 'definition', message: expect.any(String) }]);
  });

  it.each([[''], ['Upper'], ['has space'], ['x'.repeat(101)], [7]])('rejects the name %p', (name) => {
    expect(pathsOf(wf([task('a')], { name }))).toEqual(['name']);
  });

  it('accepts a name of 100 characters of [a-z0-9-_.]', () => {
    expect(checkDefinition(wf([task('a')], { name: 'a-b_c.9'.padEnd(100, 'z') })).valid).toBe(true);
  });

  it.each([[0], [-1], [1.5], ['2']])('rejects the version %p', (version) => {
    expect(pathsOf(wf([task('a')], { version }))).toEqual(['version']);
  });

  it('names unknown fields by path', () => {
    expect(
      pathsOf(wf([{ ...task('a'), colour: 'red', compensation: { type: 'noop', extra: 1 } }], { foo: 1 })),
    ).toEqual(['foo', 'tasks[0].colour', 'tasks[0].compensation.extra']);
  });

  it('rejects 0 and 10,001 tasks and accepts 1 and 10,000 (SAGAFLOW_MAX_TASKS lowers it)', () => {
    expect(pathsOf(wf([]))).toEqual(['tasks']);
    const many = (n: number) => Array.from({ length: n }, (_, i) => task(`t${i}`));
    expect(MAX_TASKS).toBe(10_000);
    expect(pathsOf(wf(many(10_001)))).toEqual(['tasks']);
    expect(checkDefinition(wf(many(1))).valid).toBe(true);
    expect(checkDefinition(wf(many(10_000))).valid).toBe(true);
    expect(pathsOf({ name: 'wf' })).toEqual(['tasks']);
  });

  it('rejects malformed task keys and types', () => {
    const issues = errorsOf(
      wf([
        { key: 'a b', type: 'noop' },
        { key: 'k'.repeat(65), type: 'noop' },
        { key: 'ok', type: '' },
        { type: 'noop' },
        'not a task',
      ]),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'tasks[0].key',
      'tasks[1].key',
      'tasks[2].type',
      'tasks[3].key',
      'tasks[4]',
    ]);
  });

  it('prefixes paths with the base given for an inline definition', () => {
    expect(errorsOf({ name: 'wf', tasks: [{ key: 'a', type: 'noop', priority: 10 }] }, 'definition')).toEqual(
      [{ path: 'definition.tasks[0].priority', message: expect.any(String) }],
    );
  });

  it('checks the literal input of built-in types', () => {
    expect(
      pathsOf(
        wf([
          task('d', [], { type: 'delay', input: { ms: -1 } }),
          task('h', [], { type: 'http', input: { url: 'not a url' } }),
          task('t', [], { type: 'delay', input: { ms: '${input.wait}' } }),
        ]),
      ),
    ).toEqual(['tasks[0].input.ms', 'tasks[1].input.method']);
  });

  // The rules run once the shape is right: a literal url must then be absolute.
  it('refuses a literal http url that is not absolute once the input has its shape', () => {
    expect(
      errorsOf(wf([task('h', [], { type: 'http', input: { method: 'GET', url: 'not a url' } })])),
    ).toEqual([{ path: 'tasks[0].input.url', message: expect.stringMatching(/absolute/) }]);
  });
});

describe('checkDefinition: dependencies', () => {
  it('rejects a duplicate key, naming both places', () => {
    const issues = errorsOf(wf([task('a'), task('b'), task('a')]));
    expect(issues).toEqual([{ path: 'tasks[2].key', message: expect.stringContaining('"a"') }]);
    expect(issues[0]?.message).toContain('tasks[0]');
  });

  it('rejects an unknown dependency, naming the key', () => {
    const issues = errorsOf(wf([task('a'), task('b', ['a', 'ghost'])]));
    expect(issues).toEqual([{ path: 'tasks[1].dependsOn[1]', message: expect.stringContaining('"ghost"') }]);
  });

  it('rejects a self-dependency', () => {
    const issues = errorsOf(wf([task('a', ['a'])]));
    expect(issues).toEqual([{ path: 'tasks[0].dependsOn[0]', message: expect.stringContaining('"a"') }]);
    expect(issues[0]?.message).toMatch(/itself/);
  });

  it('rejects a dependsOn that is not an array of keys', () => {
    expect(pathsOf(wf([task('a'), { key: 'b', type: 'noop', dependsOn: 'a' }]))).toEqual([
      'tasks[1].dependsOn',
    ]);
  });

  it('names the keys on a cycle and only those', () => {
    const issues = errorsOf(
      wf([task('root'), task('x', ['root', 'z']), task('y', ['x']), task('z', ['y']), task('leaf', ['z'])]),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('tasks');
    const keys = /dependency cycle: (.*)$/.exec(issues[0]?.message ?? '')?.[1]?.split(' → ');
    expect(keys).toHaveLength(4);
    expect(keys?.[0]).toBe(keys?.[3]);
    expect(new Set(keys)).toEqual(new Set(['x', 'y', 'z']));
  });

  it('reports a two-task cycle', () => {
    const issues = errorsOf(wf([task('a', ['b']), task('b', ['a'])]));
    expect(issues[0]?.message).toMatch(/^dependency cycle: (a → b → a|b → a → b)$/);
  });

  it('accepts a repeated dependency as one edge', () => {
    const def = definitionOf({ tasks: [task('a'), task('b', ['a', 'a'])] });
    expect(planOf(def).levels).toEqual([['a'], ['b']]);
  });
});

describe('checkDefinition: template references', () => {
  it('allows references to direct and transitive ancestors', () => {
    const result = checkDefinition(
      wf([
        task('a'),
        task('b', ['a'], { input: { x: '${tasks.a.output.x}' } }),
        task('c', ['b'], {
          input: { x: '${tasks.a.output.x}', y: 'id ${tasks.b.output.y[0].z}', r: '${run.id}' },
          idempotencyKey: '${run.id}-${tasks.a.output.id}',
        }),
      ]),
    );
    expect(result.errors).toEqual([]);
  });

  it('rejects a reference to a task that is not an ancestor, naming the path', () => {
    const issues = errorsOf(
      wf([task('a'), task('b'), task('c', ['a'], { input: { deep: ['${tasks.b.output.v}'] } })]),
    );
    expect(issues).toEqual([{ path: 'tasks[2].input.deep[0]', message: expect.stringContaining('"b"') }]);
  });

  it('rejects a reference to a dependent, to itself and to an unknown task', () => {
    expect(
      pathsOf(
        wf([
          task('a', [], { input: { v: '${tasks.b.output}' } }),
          task('b', ['a'], { input: { me: '${tasks.b.output}', ghost: '${tasks.ghost.output}' } }),
        ]),
      ),
    ).toEqual(['tasks[0].input.v', 'tasks[1].input.me', 'tasks[1].input.ghost']);
  });

  it("lets a compensation reference its own task's output and its ancestors, but not others", () => {
    expect(
      checkDefinition(
        wf([
          task('a'),
          task('b', ['a'], {
            compensation: {
              type: 'noop',
              input: { own: '${tasks.b.output.id}', up: '${tasks.a.output}' },
              idempotencyKey: 'undo-${tasks.b.output.id}',
            },
          }),
        ]),
      ).errors,
    ).toEqual([]);
    expect(
      pathsOf(
        wf([
          task('a', [], { compensation: { type: 'noop', input: { v: '${tasks.b.output}' } } }),
          task('b', ['a']),
        ]),
      ),
    ).toEqual(['tasks[0].compensation.input.v']);
  });

  it('rejects a task idempotency key that references a non-ancestor', () => {
    expect(pathsOf(wf([task('a'), task('b', [], { idempotencyKey: '${tasks.a.output.id}' })]))).toEqual([
      'tasks[1].idempotencyKey',
    ]);
  });

  it.each([
    ['${input..a}', /malformed/],
    ['${}', /malformed/],
    ['${ }', /malformed/],
    ['${foo.bar}', /unknown reference/],
    ['${tasks.a}', /unknown reference/],
    ['${tasks.a.result.x}', /unknown reference/],
    ['${run.name}', /unknown reference/],
    ['${task.output}', /unknown reference/],
  ])('rejects the malformed reference %s', (ref, message) => {
    const issues = errorsOf(wf([task('a'), task('b', ['a'], { input: { v: `x ${ref}` } })]));
    expect(issues).toEqual([{ path: 'tasks[1].input.v', message: expect.stringMatching(message) }]);
  });

  it('checks the run output: any task may be referenced, unknown ones and task.* may not', () => {
    expect(checkDefinition(wf([task('a'), task('b')], { output: { a: '${tasks.a.output}' } })).valid).toBe(
      true,
    );
    expect(
      pathsOf(wf([task('a')], { output: { g: '${tasks.ghost.output}', k: ['${task.key}'], m: '${nope}' } })),
    ).toEqual(['output.g', 'output.k[0]', 'output.m']);
  });
});

describe('checkDefinition: retry, timeout, priority', () => {
  it('names bad retry fields by path', () => {
    const issues = errorsOf(
      wf([
        task('a', [], {
          retry: { maxAttempts: 0, initialIntervalMs: -1, backoffCoefficient: 0.5, jitter: 2, foo: 1 },
        }),
        task('b', [], { retry: { maxAttempts: 1.5, maxIntervalMs: 'x' } }),
        task('c', [], { retry: 3 }),
        task('e', [], { compensation: { type: 'noop', retry: { maxAttempts: 0 } } }),
      ]),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'tasks[0].retry.foo',
      'tasks[0].retry.maxAttempts',
      'tasks[0].retry.initialIntervalMs',
      'tasks[0].retry.backoffCoefficient',
      'tasks[0].retry.jitter',
      'tasks[1].retry.maxAttempts',
      'tasks[1].retry.maxIntervalMs',
      'tasks[2].retry',
      'tasks[3].compensation.retry.maxAttempts',
    ]);
  });

  // A rule across fields, checked once every retry field has its shape.
  it('refuses a maximum interval below the initial one', () => {
    expect(errorsOf(wf([task('d', [], { retry: { initialIntervalMs: 500, maxIntervalMs: 100 } })]))).toEqual([
      { path: 'tasks[0].retry.maxIntervalMs', message: expect.any(String) },
    ]);
  });

  it('accepts the boundary values', () => {
    const def = definitionOf({
      tasks: [
        task('a', [], {
          retry: { maxAttempts: 1, initialIntervalMs: 0, backoffCoefficient: 1, maxIntervalMs: 0, jitter: 1 },
          priority: 0,
          timeoutMs: 1,
        }),
        task('b', [], { priority: 9 }),
      ],
    });
    expect(def.tasks[0]?.retry).toEqual({
      maxAttempts: 1,
      initialIntervalMs: 0,
      backoffCoefficient: 1,
      maxIntervalMs: 0,
      jitter: 1,
    });
  });

  it.each([
    [{ timeoutMs: 0 }, 'tasks[0].timeoutMs'],
    [{ timeoutMs: 1.5 }, 'tasks[0].timeoutMs'],
    [{ priority: -1 }, 'tasks[0].priority'],
    [{ priority: 10 }, 'tasks[0].priority'],
    [{ priority: '5' }, 'tasks[0].priority'],
    [{ idempotencyKey: '' }, 'tasks[0].idempotencyKey'],
  ])('rejects %p at %s', (extra, path) => {
    expect(pathsOf(wf([task('a', [], extra)]))).toEqual([path]);
  });

  it('reports every problem at once', () => {
    expect(
      pathsOf({ name: 'BAD', tasks: [task('a', [], { priority: 11, retry: { maxAttempts: 0 } })] }),
    ).toEqual(['name', 'tasks[0].retry.maxAttempts', 'tasks[0].priority']);
  });
});

describe('checkDefinition: defaults', () => {
  const def = definitionOf({
    tasks: [
      task('a', [], {
        retry: { maxAttempts: 9, initialIntervalMs: 5 },
        timeoutMs: 1000,
        priority: 8,
        compensation: { type: 'noop' },
      }),
      task('b', ['a']),
    ],
  });

  it('applies retry, timeout, priority and idempotency defaults to tasks', () => {
    const b = def.tasks[1];
    expect(b?.retry).toEqual({
      maxAttempts: 3,
      initialIntervalMs: 1000,
      backoffCoefficient: 2,
      maxIntervalMs: 60000,
      jitter: 0,
    });
    expect(b).toMatchObject({ timeoutMs: 300000, priority: 5, idempotencyKey: '${run.id}:${task.key}' });
    expect(b?.input).toEqual({});
    expect(b?.compensation).toBeNull();
    expect(def).toMatchObject({ version: null, description: null, output: null });
  });

  it('fills a retry object partially', () => {
    expect(def.tasks[0]?.retry).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 9, initialIntervalMs: 5 });
  });

  it("gives a compensation the defaults, not its task's settings", () => {
    expect(def.tasks[0]?.compensation).toEqual({
      type: 'noop',
      input: {},
      retry: DEFAULT_RETRY_POLICY,
      timeoutMs: 300000,
      queueTimeoutMs: 300000,
      priority: 5,
      idempotencyKey: '${run.id}:${task.key}:compensate',
    });
  });
});

describe('canonicalDefinitionJson', () => {
  const raw = {
    name: 'wf',
    description: 'd',
    tasks: [saga('a', [], { input: { x: 1, y: [1, { b: 2, a: 1 }] } }), task('b', ['a'])],
    output: { z: 1, a: 2 },
  };
  const canonical = (value: unknown) => {
    const result = checkDefinition(value);
    if (!result.valid) throw new Error('invalid');
    return canonicalDefinitionJson(result.definition);
  };

  it('ignores key order and version', () => {
    const reordered = {
      output: { a: 2, z: 1 },
      version: 4,
      tasks: [
        {
          input: { y: [1, { a: 1, b: 2 }], x: 1 },
          compensation: { type: 'noop' },
          dependsOn: [],
          type: 'noop',
          key: 'a',
        },
        { dependsOn: ['a'], type: 'noop', key: 'b' },
      ],
      description: 'd',
      name: 'wf',
    };
    expect(canonical(reordered)).toBe(canonical(raw));
    expect(canonical(raw)).not.toContain('version');
  });

  it('treats spelled-out defaults as identical to omitted ones', () => {
    const explicit = {
      ...raw,
      tasks: [raw.tasks[0], { ...raw.tasks[1], priority: 5, timeoutMs: 300000, retry: { maxAttempts: 3 } }],
    };
    expect(canonical(explicit)).toBe(canonical(raw));
  });

  it('tells apart a different description, array order or value', () => {
    expect(canonical({ ...raw, description: 'other' })).not.toBe(canonical(raw));
    expect(canonical({ ...raw, output: { z: 2, a: 2 } })).not.toBe(canonical(raw));
    expect(canonical({ ...raw, tasks: [raw.tasks[0], task('b', ['a'], { priority: 6 })] })).not.toBe(
      canonical(raw),
    );
  });
});

describe('checkDefinition: queueTimeoutMs (docs/contract.md#task-configuration-and-defaults)', () => {
  it.each([0, -1, 1.5, '10', 86_400_001])('rejects %p with its path named', (value) => {
    const result = checkDefinition({
      name: 'wf',
      tasks: [
        task('a', [], { queueTimeoutMs: value, compensation: { type: 'noop', queueTimeoutMs: value } }),
      ],
    });
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.path).sort()).toEqual([
      'tasks[0].compensation.queueTimeoutMs',
      'tasks[0].queueTimeoutMs',
    ]);
  });
});
