import type { Json } from '../../domain/run/run-snapshot.js';
import type { HandlerDefinition } from './define-handler.js';
import { echoHandler, httpHandler, noopHandler } from './handlers/builtins.js';
import { createHttpHandler, type HttpHandlerOptions } from './handlers/http.js';
import type { TaskHandler } from './handlers/task-handler.js';

export type { TaskContext, TaskHandler } from './handlers/task-handler.js';

/** Task type names double as AMQP routing keys and queue-name suffixes (docs/contract.md#messaging). */
const TYPE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Types the orchestrator runs itself; a worker handler for them would never be called. */
const ORCHESTRATOR_TYPES = new Set(['delay']);

export type CloseHook = () => void | Promise<void>;

/**
 * The task types one worker process can execute. An instance, not a module-level singleton,
 * so tests and several workers in one process do not share handlers.
 */
export class HandlerRegistry {
  private readonly handlers = new Map<string, TaskHandler<Json, unknown>>();
  private readonly closeHooks: CloseHook[] = [];
  private closed = false;

  /**
   * Adds a handler for `type`. Throws on an invalid name, on `delay` (run by the
   * orchestrator, never sent to workers) and on a duplicate, so two modules claiming one
   * type fail at start instead of one silently winning.
   */
  register<I = Json, O = Json | void>(type: string, handler: TaskHandler<I, O>): this {
    if (!TYPE_NAME.test(type)) {
      throw new Error(`invalid task type name ${JSON.stringify(type)}: expected [A-Za-z0-9_.-]{1,64}`);
    }
    if (ORCHESTRATOR_TYPES.has(type)) {
      throw new Error(`task type "${type}" is run by the orchestrator and cannot have a worker handler`);
    }
    if (this.handlers.has(type)) {
      throw new Error(`a handler for task type "${type}" is already registered`);
    }
    if (typeof handler !== 'function') {
      throw new TypeError(`the handler for task type "${type}" is not a function`);
    }
    // The declared input type is the handler's own promise (see TaskHandler); the registry
    // passes on whatever JSON arrived, so widening here is the honest type.
    this.handlers.set(type, handler as unknown as TaskHandler<Json, unknown>);
    return this;
  }

  /** Adds handlers made by `defineHandler`, each under its own type (the rules of {@link register}). */
  add(...definitions: HandlerDefinition<never, unknown>[]): this {
    for (const definition of definitions) this.register(definition.type, definition.handle);
    return this;
  }

  get(type: string): TaskHandler<Json, unknown> | undefined {
    return this.handlers.get(type);
  }

  has(type: string): boolean {
    return this.handlers.has(type);
  }

  /** Registered types in registration order: what the worker subscribes to. */
  types(): string[] {
    return [...this.handlers.keys()];
  }

  /** Runs `hook` on {@link close}: for handlers that hold pools, breakers or timers. */
  onClose(hook: CloseHook): this {
    this.closeHooks.push(hook);
    return this;
  }

  /**
   * Releases what the handlers hold, last registered first. Idempotent. Every hook runs even
   * when one fails; the failures are rethrown together.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    for (const hook of [...this.closeHooks].reverse()) {
      try {
        await hook();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'closing task handlers failed');
  }
}

/** The `http` handler's breakers as metrics see them: how many are not closed, and each opening. */
export interface HttpBreakersView {
  notClosed(): number;
  onOpen(listener: () => void): void;
}

export interface DefaultRegistryOptions {
  /** Options of the built-in `http` handler (allow-list, breaker settings). */
  http?: HttpHandlerOptions;
  /** Receives the `http` handler's per-host breakers, to report as metrics. */
  observeHttpBreakers?: (breakers: HttpBreakersView) => void;
}

/** A registry with the contract's (docs/contract.md#workflow-definitions) worker built-ins: `noop`, `echo`, `http`. */
export function createDefaultRegistry(options: DefaultRegistryOptions = {}): HandlerRegistry {
  const registry = new HandlerRegistry();
  const http = createHttpHandler(options.http);
  registry.add(noopHandler, echoHandler, httpHandler(http));
  registry.onClose(() => http.close());
  options.observeHttpBreakers?.({
    notClosed: () => http.openBreakers(),
    onOpen: (listener) => http.onBreakerOpen(listener),
  });
  return registry;
}
