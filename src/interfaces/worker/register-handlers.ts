import { isHandlerDefinition, type HandlerDefinition } from './define-handler.js';
import type { HandlerRegistry } from './handler-registry.js';
import type { TaskHandler } from './handlers/task-handler.js';

/**
 * Handlers as `startWorker` and a `SAGAFLOW_HANDLERS` module give them: `defineHandler`
 * results (each under its own type), or an object of `type → handler` functions.
 */
export type Handlers =
  readonly HandlerDefinition<never, unknown>[] | Readonly<Record<string, TaskHandler<never, unknown>>>;

/** Registers every handler of `handlers`; throws on what is neither form, naming it. */
export function registerAll(registry: HandlerRegistry, handlers: Handlers): void {
  if (Array.isArray(handlers)) {
    handlers.forEach((definition: unknown, index) => {
      if (!isHandlerDefinition(definition)) {
        throw new TypeError(`handlers[${index}] is not a handler made by defineHandler`);
      }
      registry.add(definition);
    });
    return;
  }
  for (const [type, handler] of Object.entries(handlers as Record<string, TaskHandler<never, unknown>>)) {
    registry.register(type, handler);
  }
}
