import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocketServer } from 'ws';
import type { UpgradeRoutes } from './upgrade-routes.js';

/** Nest's port number for "the application's own HTTP server". */
const APP_SERVER_PORT = 0;

type GatewayServer = WebSocketServer & { path: string };

/**
 * Nest's `WsAdapter`, owning every HTTP upgrade on the api port: a gateway's path (`/ws`) goes
 * to its ws server, a path registered in `UpgradeRoutes` (`/graphql`) to its handler, and any
 * other upgrade is answered 404 and destroyed. Both sockets check `Origin` here
 * (docs/security.md#transport-hardening). Nest's own listener destroys everything that is
 * not a gateway (so `/graphql` would die), and a listener that merely ignored unknown paths
 * left the socket open and made shutdown hang (docs/architecture.md#toolchain-facts).
 *
 * Sockets handed to a route handler are destroyed at `dispose` if their owner has not closed
 * them by then, so `app.close()` never waits on them either.
 */
export class SagaflowWsAdapter extends WsAdapter {
  private readonly handedOff = new Set<Duplex>();
  private detachListener: (() => void) | null = null;

  constructor(
    app: INestApplication,
    private readonly routes: UpgradeRoutes,
    /** `SAGAFLOW_ALLOWED_ORIGINS`: a browser upgrade from any other origin is refused (403). */
    private readonly allowedOrigins: readonly string[] | null = null,
  ) {
    super(app);
    // Listen now rather than when the first gateway is created, so that the upgrade routes
    // work whether or not this app has a gateway.
    this.ensureHttpServerExists(APP_SERVER_PORT, this.httpServer as Server);
  }

  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    // A gateway on a port of its own keeps Nest's behaviour; only the app's server is ours.
    if (port !== APP_SERVER_PORT || !httpServer) return super.ensureHttpServerExists(port, httpServer);
    if (this.httpServersRegistry.has(port)) return undefined;
    this.httpServersRegistry.set(port, httpServer);
    const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.routeUpgrade(request, socket, head);
    httpServer.on('upgrade', listener);
    this.detachListener = () => httpServer.off('upgrade', listener);
    return httpServer;
  }

  /**
   * A gateway without `@SubscribeMessage` handlers reads its sockets itself (the `/ws` gateway
   * does, see RunEventsGateway); Nest would otherwise parse every frame a second time only to
   * drop it.
   */
  override bindMessageHandlers(...args: Parameters<WsAdapter['bindMessageHandlers']>): void {
    const [, handlers] = args;
    if (handlers.length > 0) super.bindMessageHandlers(...args);
  }

  override async dispose(): Promise<void> {
    this.detachListener?.();
    this.detachListener = null;
    for (const socket of this.handedOff) socket.destroy();
    this.handedOff.clear();
    await super.dispose();
  }

  private routeUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = pathOf(request.url);
    if (path === null) return refuse(socket, '400 Bad Request');
    // Browsers always send Origin on a WebSocket upgrade; other clients need not, and pass.
    const origin = request.headers.origin;
    if (this.allowedOrigins && origin !== undefined && !this.allowedOrigins.includes(origin)) {
      return refuse(socket, '403 Forbidden');
    }
    const servers = (this.wsServersRegistry.get(APP_SERVER_PORT) ?? []) as GatewayServer[];
    const gateway = servers.find((server) => server.path === path);
    if (gateway) {
      gateway.handleUpgrade(request, socket, head, (ws) => gateway.emit('connection', ws, request));
      return;
    }
    const handler = this.routes.handlerFor(path);
    if (!handler) return refuse(socket, '404 Not Found');
    this.handedOff.add(socket);
    socket.once('close', () => this.handedOff.delete(socket));
    try {
      handler(request, socket, head);
    } catch (error) {
      this.logger.error(`upgrade handler for ${path} failed`, error);
      socket.destroy();
    }
  }
}

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/** Answers the upgrade with an HTTP error and destroys the socket once the answer is flushed. */
function refuse(socket: Duplex, status: string): void {
  socket.on('error', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}
