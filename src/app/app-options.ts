import type { HandlerRegistry } from '../interfaces/worker/handler-registry.js';
import type { WsGatewayOptions } from '../interfaces/ws/ws-gateway-options.js';

export const APP_OPTIONS = Symbol('CreateAppOptions');

export interface CreateAppOptions {
  /** Registers extra task handlers on this process's worker (besides SAGAFLOW_HANDLERS modules). */
  registerHandlers?: (registry: HandlerRegistry) => void;
  /** Tuning of the `/ws` gateway (heartbeat, send buffer limit); defaults suit production. */
  ws?: Partial<WsGatewayOptions>;
}
