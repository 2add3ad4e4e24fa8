import { describe, expect, it } from '@jest/globals';

import {
  defineHandler,
  HandlerRegistry,
  isHandlerDefinition,
  NonRetryableError,
  RetryAfterError,
  taskContext,
  testHandler,
  Type,
  type HandlerDefinition,
  type InputOf,
  type OutputOf,
  type TaskContext,
} from '../../../src/worker.js';
import { registerAll } from '../../../src/interfaces/worker/register-handlers.js';
import { SILENT_TASK_LOGGER } from '../../../src/interfaces/worker/test-handler.js';

/** What `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  expect(outcome.rejected).toBeInstanceOf(Error);
  return outcome.rejected as Error;
}

const ReserveInput = Type.Object({
  sku: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
  lines: Type.Optional(Type.Array(Type.Object({ sku: Type.String() }))),
});
const ReserveOutput = Type.Object({ reservationId: Type.String({ minLength: 1 }) });

/** A handler with both schemas; `calls` counts the times its body ran. */
function reserveHandler() {
  const calls: { sku: string; quantity: number }[] = [];
  const reserve = defineHandler(
    'inventory.reserve',
    async ({ sku, quantity }, ctx) => {
      calls.push({ sku, quantity });
      // An empty sku yields an empty id: output the schema refuses, for the output test.
      return { reservationId: sku === '' ? '' : `${sku}x${quantity}@${ctx.idempotencyKey}` };
    },
    { input: ReserveInput, output: ReserveOutput },
  );
  return { reserve, calls };
}

describe('defineHandler with schemas, run by testHandler', () => {
  it('returns the output for valid input', async () => {
    const { reserve, calls } = reserveHandler();
    expect(reserve.type).toBe('inventory.reserve');
    expect(await testHandler(reserve, { sku: 'A-1', quantity: 2 })).toEqual({
      reservationId: 'A-1x2@test-run:task',
    });
    expect(calls).toEqual([{ sku: 'A-1', quantity: 2 }]);
  });

  it('rejects invalid input as non-retryable, naming each JSON path, without running the body', async () => {
    const { reserve, calls } = reserveHandler();
    const wrongType = await rejection(
      testHandler(reserve, { sku: 'A-1', quantity: 'two' } as unknown as InputOf<typeof reserve>),
    );
    expect(wrongType).toBeInstanceOf(NonRetryableError);
    expect(wrongType.message).toMatch(
      /^input of task type "inventory\.reserve" does not match its schema: quantity: /,
    );

    const several = await rejection(
      testHandler(reserve, { quantity: 0, lines: [{ sku: 'ok' }, { sku: 7 }] } as unknown as InputOf<
        typeof reserve
      >),
    );
    expect(several).toBeInstanceOf(NonRetryableError);
    expect(several.message).toContain('sku: is required');
    expect(several.message).toContain('quantity: ');
    expect(several.message).toContain('lines[1].sku: ');

    // The root of the input is `$`.
    const notAnObject = await rejection(testHandler(reserve, 'A-1' as unknown as InputOf<typeof reserve>));
    expect(notAnObject).toBeInstanceOf(NonRetryableError);
    expect(notAnObject.message).toContain('does not match its schema: $: ');

    expect(calls).toEqual([]);
  });

  it('rejects output that does not match as non-retryable', async () => {
    const { reserve, calls } = reserveHandler();
    const error = await rejection(testHandler(reserve, { sku: '', quantity: 1 }));
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toMatch(
      /^output of task type "inventory\.reserve" does not match its schema: reservationId: /,
    );
    // The body ran: the output is checked after it.
    expect(calls).toHaveLength(1);
  });

  it('checks a handler that returns nothing as null against its output schema', async () => {
    const nothing = defineHandler('nothing', () => undefined as unknown as { id: string }, {
      output: Type.Object({ id: Type.String() }),
    });
    const error = await rejection(testHandler(nothing, null));
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toContain('output of task type "nothing" does not match its schema: $: ');
  });

  it('passes a RetryAfterError through with its delay', async () => {
    const busy = defineHandler(
      'busy',
      async () => {
        throw new RetryAfterError(1500, 'rate limited');
      },
      { input: Type.Object({}) },
    );
    const error = await rejection(testHandler(busy, {}));
    expect(error).toBeInstanceOf(RetryAfterError);
    expect((error as RetryAfterError).retryAfterMs).toBe(1500);
    expect(error.message).toBe('rate limited');
  });
});

describe('testHandler: input and output as the worker carries them', () => {
  it('returns the output as JSON: a Date as its ISO string, undefined properties dropped', async () => {
    const dated = defineHandler('dated', async () => ({ at: new Date(0), skipped: undefined, n: 1 }));
    const output = await testHandler(dated, null);
    expect(output).toEqual({ at: '1970-01-01T00:00:00.000Z', n: 1 });
    expect(Object.keys(output as object)).toEqual(['at', 'n']);
  });

  it('returns null for a handler that returns nothing', async () => {
    const silent = defineHandler('silent', async () => undefined);
    expect(await testHandler(silent, { any: 'input' })).toBeNull();
  });

  it('rejects output JSON cannot carry as it is (a Map, NaN) as non-retryable', async () => {
    const map = defineHandler('map', async () => ({ items: new Map([['a', 1]]) }));
    const mapError = await rejection(testHandler(map, null));
    expect(mapError).toBeInstanceOf(NonRetryableError);
    expect(mapError.message).toContain('output.items is an instance of Map');

    const nan = defineHandler('nan', async () => ({ total: Number.NaN }));
    const nanError = await rejection(testHandler(nan, null));
    expect(nanError).toBeInstanceOf(NonRetryableError);
    expect(nanError.message).toContain('output.total is NaN');
  });

  it('sends the input through JSON, as the broker does', async () => {
    const seen: unknown[] = [];
    const probe = async (input: { at: unknown; gone?: unknown }) => {
      seen.push(input);
      return null;
    };
    await testHandler(probe, { at: new Date(0), gone: undefined });
    await testHandler(probe, undefined as unknown as { at: unknown });
    expect(seen).toEqual([{ at: '1970-01-01T00:00:00.000Z' }, null]);
    expect(Object.keys(seen[0] as object)).toEqual(['at']);
  });

  it('runs a bare handler function too', async () => {
    const double = async (input: { n: number }, ctx: TaskContext) => ({
      doubled: input.n * 2,
      at: ctx.attempt,
    });
    expect(await testHandler(double, { n: 21 })).toEqual({ doubled: 42, at: 1 });
  });
});

describe('testHandler: the context', () => {
  function contextProbe() {
    const seen: TaskContext[] = [];
    const probe = defineHandler('probe', async (_input: unknown, ctx) => {
      seen.push(ctx);
      return null;
    });
    return { probe, seen };
  }

  it('gives sane defaults', async () => {
    const { probe, seen } = contextProbe();
    await testHandler(probe, null);
    const [ctx] = seen;
    expect(ctx).toMatchObject({
      runId: 'test-run',
      taskKey: 'task',
      kind: 'task',
      attempt: 1,
      idempotencyKey: 'test-run:task',
    });
    expect(ctx!.signal.aborted).toBe(false);
    expect(ctx!.logger).toBe(SILENT_TASK_LOGGER);
    expect(() => ctx!.logger.info('a line nobody reads', { n: 1 })).not.toThrow();
  });

  it('hands the overrides to the handler', async () => {
    const { probe, seen } = contextProbe();
    const controller = new AbortController();
    controller.abort(new Error('test says stop'));
    await testHandler(probe, null, {
      attempt: 3,
      idempotencyKey: 'order-7',
      signal: controller.signal,
      kind: 'compensation',
    });
    const [ctx] = seen;
    expect(ctx).toMatchObject({
      attempt: 3,
      idempotencyKey: 'order-7',
      kind: 'compensation',
      runId: 'test-run',
    });
    expect(ctx!.signal).toBe(controller.signal);
    expect(ctx!.signal.aborted).toBe(true);
  });

  it('derives the default idempotency key from an overridden run and task', () => {
    expect(taskContext({ runId: 'r-9', taskKey: 'charge' }).idempotencyKey).toBe('r-9:charge');
    expect(taskContext({ runId: 'r-9', idempotencyKey: 'mine' }).idempotencyKey).toBe('mine');
  });
});

describe('defineHandler', () => {
  it('refuses an empty type name and a handler that is not a function', () => {
    expect(() => defineHandler('', async () => null)).toThrow(TypeError);
    expect(() => defineHandler('x', 'not a function' as unknown as () => null)).toThrow(
      /the handler of task type "x" is not a function/,
    );
  });

  it('is told apart from a bare function by isHandlerDefinition', () => {
    const definition = defineHandler('told', async () => null);
    expect(isHandlerDefinition(definition)).toBe(true);
    expect(isHandlerDefinition(async () => null)).toBe(false);
    expect(isHandlerDefinition(null)).toBe(false);
    expect(isHandlerDefinition(undefined)).toBe(false);
    expect(isHandlerDefinition({ type: 'told' })).toBe(false);
    expect(isHandlerDefinition({ type: 1, handle: async () => null })).toBe(false);
    expect(isHandlerDefinition({ handle: async () => null })).toBe(false);
  });

  it('types input and output from the schemas (checked by tsc)', async () => {
    const typed = defineHandler(
      'typed',
      async (input) => {
        // @ts-expect-error quantity is a number by the schema, not a string
        const quantity: string = input.quantity;
        // @ts-expect-error the schema has no field `price`
        void input.price;
        return { reservationId: `${input.sku}:${quantity}` };
      },
      { input: ReserveInput, output: ReserveOutput },
    );
    const input: InputOf<typeof typed> = { sku: 'A', quantity: 1 };
    const output: OutputOf<typeof typed> = await testHandler(typed, input);
    expect(output).toEqual({ reservationId: 'A:1' });
    // @ts-expect-error testHandler takes the input the schema describes
    await rejection(testHandler(typed, { sku: 'A', quantity: '1' }));
    // @ts-expect-error the output schema wants a string reservationId
    defineHandler('typed-output', async () => ({ reservationId: 42 }), { output: ReserveOutput });
  });
});

describe('registerAll and HandlerRegistry.add', () => {
  it('registers an array of definitions under their own types, schemas included', async () => {
    const { reserve } = reserveHandler();
    const echo = defineHandler('echo-back', async (input) => input);
    const registry = new HandlerRegistry();
    registerAll(registry, [reserve, echo]);
    expect(registry.types()).toEqual(['inventory.reserve', 'echo-back']);
    // The registered handler is the definition's checking one, not the bare body.
    const error = await rejection(registry.get('inventory.reserve')!({ sku: 'A' }, taskContext()));
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toContain('quantity: is required');
    expect(await registry.get('echo-back')!({ back: true }, taskContext())).toEqual({ back: true });
  });

  it('registers a record of type → function', async () => {
    const registry = new HandlerRegistry();
    registerAll(registry, {
      first: async () => 1,
      second: async (input: { n: number }) => input.n + 1,
    });
    expect(registry.types()).toEqual(['first', 'second']);
    expect(await registry.get('second')!({ n: 1 }, taskContext())).toBe(2);
  });

  it('names the array item that is not a definition', () => {
    const items = [
      defineHandler('fine', async () => null),
      (async () => null) as unknown as HandlerDefinition<never, unknown>,
    ];
    expect(() => registerAll(new HandlerRegistry(), items)).toThrow(
      new TypeError('handlers[1] is not a handler made by defineHandler'),
    );
  });

  it('rejects a second definition of a type already registered', () => {
    const registry = new HandlerRegistry().add(defineHandler('twice', async () => 1));
    expect(() => registry.add(defineHandler('twice', async () => 2))).toThrow(
      'a handler for task type "twice" is already registered',
    );
    expect(() =>
      new HandlerRegistry().add(
        defineHandler('dup', async () => 1),
        defineHandler('dup', async () => 2),
      ),
    ).toThrow(/already registered/);
    expect(() => registerAll(registry, [defineHandler('twice', async () => 3)])).toThrow(
      /already registered/,
    );
  });
});
