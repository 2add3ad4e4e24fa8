import type { HandlerRegistry } from '../interfaces/worker/handler-registry.js';

export const APP_OPTIONS = Symbol('CreateAppOptions');

export interface CreateAppOptions {
  /** Registers extra task handlers on this process's worker (besides SAGAFLOW_HANDLERS modules). */
  registerHandlers?: (registry: HandlerRegistry) => void;
}
