import type { Static, TSchema } from 'typebox';
import { shapeIssues } from '../../application/contracts/shape-issues.js';
import { NonRetryableError } from '../../domain/errors/task-errors.js';
import type { Json } from '../../domain/run/run-snapshot.js';
import type { TaskContext, TaskHandler } from './handlers/task-handler.js';

/** What a handler function may return: the output, or a promise of it. */
type MaybePromise<T> = T | Promise<T>;

/** The schemas a handler declares: its input is checked before it runs, its output after. */
export interface HandlerSchemas<IS extends TSchema | undefined, OS extends TSchema | undefined> {
  /** TypeBox (JSON Schema) of the input; input that does not match fails the task at once. */
  input?: IS;
  /** TypeBox (JSON Schema) of the output; output that does not match fails the task at once. */
  output?: OS;
}

/**
 * One task type's handler as `defineHandler` made it (docs/worker-sdk.md): its type name, the
 * function the worker calls, and its schemas. `startWorker({ handlers: [...] })`,
 * `registry.add(...)` and `testHandler` take it.
 */
export interface HandlerDefinition<I = Json, O = unknown> {
  readonly type: string;
  /** Checks the input, runs the handler, checks the output: what the worker calls per attempt. */
  readonly handle: TaskHandler<Json, O>;
  readonly schemas: HandlerSchemas<TSchema | undefined, TSchema | undefined>;
  /** Only for type inference (`InputOf`, `OutputOf`, `testHandler`); never set. */
  readonly __types?: (input: I) => O;
}

export type InputOf<D> = D extends { __types?: (input: infer I) => unknown } ? I : never;
export type OutputOf<D> = D extends { __types?: (input: never) => infer O } ? O : never;

/**
 * Defines the handler of task type `type`. With schemas, `input` and the return value are
 * typed from them and checked at run time: input that does not match fails the attempt as
 * non-retryable (another attempt gets the same input), naming each problem by its JSON path;
 * so does output that does not match (a bug of the handler, not a passing fault). Without
 * schemas, the type parameters document the shape and nothing checks it.
 *
 * ```ts
 * export const reserve = defineHandler(
 *   'inventory.reserve',
 *   async ({ sku, quantity }, ctx) => ({ reservationId: await reserveStock(sku, quantity, ctx.idempotencyKey) }),
 *   { input: Type.Object({ sku: Type.String(), quantity: Type.Integer({ minimum: 1 }) }),
 *     output: Type.Object({ reservationId: Type.String() }) },
 * );
 * ```
 */
export function defineHandler<IS extends TSchema, OS extends TSchema>(
  type: string,
  fn: (input: Static<IS>, ctx: TaskContext) => MaybePromise<Static<OS>>,
  schemas: { input: IS; output: OS },
): HandlerDefinition<Static<IS>, Static<OS>>;
export function defineHandler<IS extends TSchema, O = Json | void>(
  type: string,
  fn: (input: Static<IS>, ctx: TaskContext) => MaybePromise<O>,
  schemas: { input: IS },
): HandlerDefinition<Static<IS>, O>;
export function defineHandler<OS extends TSchema, I = Json>(
  type: string,
  fn: (input: I, ctx: TaskContext) => MaybePromise<Static<OS>>,
  schemas: { output: OS },
): HandlerDefinition<I, Static<OS>>;
export function defineHandler<I = Json, O = Json | void>(
  type: string,
  fn: (input: I, ctx: TaskContext) => MaybePromise<O>,
): HandlerDefinition<I, O>;
export function defineHandler(
  type: string,
  fn: (input: never, ctx: TaskContext) => unknown,
  schemas: HandlerSchemas<TSchema | undefined, TSchema | undefined> = {},
): HandlerDefinition<unknown, unknown> {
  if (typeof type !== 'string' || type === '') throw new TypeError('defineHandler needs a task type name');
  if (typeof fn !== 'function') throw new TypeError(`the handler of task type "${type}" is not a function`);
  const { input, output } = schemas;
  const frozenSchemas = Object.freeze({ input, output });
  // No schema, no wrapper: the worker awaits what the function returns (a value or a promise).
  if (input === undefined && output === undefined) {
    return Object.freeze({ type, handle: fn as TaskHandler<Json, unknown>, schemas: frozenSchemas });
  }
  const handle = async (value: Json, ctx: TaskContext): Promise<unknown> => {
    if (input !== undefined) assertShape(input, value, `input of task type "${type}"`);
    const result: unknown = await fn(value as never, ctx);
    if (output !== undefined) assertShape(output, result ?? null, `output of task type "${type}"`);
    return result;
  };
  return Object.freeze({ type, handle, schemas: frozenSchemas });
}

/** True for what `defineHandler` returned (as opposed to a bare handler function). */
export function isHandlerDefinition(value: unknown): value is HandlerDefinition<never, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HandlerDefinition).type === 'string' &&
    typeof (value as HandlerDefinition).handle === 'function'
  );
}

function assertShape(schema: TSchema, value: unknown, what: string): void {
  const issues = shapeIssues(schema, value);
  if (issues.length === 0) return;
  const listed = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new NonRetryableError(`${what} does not match its schema: ${listed}`);
}
