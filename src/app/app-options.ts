import type { DestinationStream, Logger } from 'pino';
import type { HandlerRegistry } from '../interfaces/worker/handler-registry.js';
import type { WsGatewayOptions } from '../interfaces/ws/ws-gateway-options.js';

export const APP_OPTIONS = Symbol('CreateAppOptions');

export interface CreateAppOptions {
  /** Registers extra task handlers on this process's worker (besides SAGAFLOW_HANDLERS modules). */
  registerHandlers?: (registry: HandlerRegistry) => void;
  /** Tuning of the `/ws` gateway (heartbeat, send buffer limit); defaults suit production. */
  ws?: Partial<WsGatewayOptions>;
  /**
   * Called once the api's HTTP port is open, before the dependencies are connected (main.ts logs
   * it, so a supervisor sees the port before the process is ready).
   */
  onListening?: (url: string, logger: Logger) => void;
  /** Where the process's log lines go (default stdout); tests read them from a stream. */
  logDestination?: DestinationStream;
}
