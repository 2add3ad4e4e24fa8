import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * HTTP upgrade handlers by path, beside the WebSocket gateway's own `/ws`: the GraphQL module
 * registers `/graphql` (graphql-ws) here, and the WebSocket adapter hands those upgrades over.
 * An upgrade for a path nobody registered is destroyed (an ignored one hangs shutdown).
 */
export class UpgradeRoutes {
  private readonly routes = new Map<string, UpgradeHandler>();

  register(path: string, handler: UpgradeHandler): void {
    if (this.routes.has(path)) throw new Error(`an upgrade handler for ${path} is already registered`);
    this.routes.set(path, handler);
  }

  handlerFor(path: string): UpgradeHandler | undefined {
    return this.routes.get(path);
  }
}
