import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { HandlerRegistry } from '../handler-registry.js';
import { registerAll, type Handlers } from '../register-handlers.js';

/** What a handler module may export: either form, or both. */
export interface HandlerModule {
  /** Called with the worker's registry: register handlers, add close hooks. May be async. */
  default?: (registry: HandlerRegistry) => void | Promise<void>;
  /** `defineHandler` handlers, or a `type → handler` object. */
  handlers?: Handlers;
}

/** Splits `SAGAFLOW_HANDLERS` (comma list) into module specifiers. */
export function parseHandlerSpecifiers(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * Loads user task handlers into `registry`, in order. This is how a deployment adds its own
 * task types without forking Sagaflow: list modules in `SAGAFLOW_HANDLERS`,
 *
 * ```sh
 * SAGAFLOW_HANDLERS=./dist/handlers/payments.js,@acme/sagaflow-handlers npm run start:worker
 * ```
 *
 * Each entry is a file path (absolute, or relative to the working directory; anything that
 * starts with `.` or `/`), a `file:` URL, or a package name resolved like any import. A
 * module exports
 *
 * ```ts
 * import { defineHandler, type HandlerRegistry } from 'sagaflow/worker';
 * export const handlers = [defineHandler('send-mail', async (input) => ({}))];
 * // and/or
 * export default (registry: HandlerRegistry) => {
 *   registry.register('charge-card', async (input, ctx) => ({ charged: true }));
 * };
 * ```
 *
 * A module that cannot be loaded, exports neither form, or registers a type that exists
 * already makes this reject, naming the module: a worker should not start without the
 * handlers it was told to have.
 */
export async function loadHandlerModules(registry: HandlerRegistry, specifiers: string[]): Promise<void> {
  for (const specifier of specifiers) {
    let loaded: unknown;
    try {
      loaded = await import(toImportSpecifier(specifier));
    } catch (err) {
      throw new Error(`cannot load handler module "${specifier}": ${String(err)}`, { cause: err });
    }
    try {
      await install(registry, loaded as HandlerModule, specifier);
    } catch (err) {
      throw new Error(`handler module "${specifier}": ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
}

async function install(registry: HandlerRegistry, mod: HandlerModule, specifier: string): Promise<void> {
  const { default: setup, handlers } = mod;
  const hasSetup = typeof setup === 'function';
  const hasHandlers = typeof handlers === 'object' && handlers !== null;
  if (!hasSetup && !hasHandlers) {
    throw new Error(
      `module "${specifier}" exports neither a default (registry) => void nor a handlers object`,
    );
  }
  if (hasHandlers) registerAll(registry, handlers);
  if (hasSetup) await setup(registry);
}

function toImportSpecifier(specifier: string): string {
  if (specifier.startsWith('file:')) return specifier;
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    return pathToFileURL(resolve(process.cwd(), specifier)).href;
  }
  return specifier;
}
