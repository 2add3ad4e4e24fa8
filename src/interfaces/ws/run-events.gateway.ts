import { Inject, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { AUTHENTICATION, type Authentication } from '../identity/authenticate.js';
import { WsAuth } from './ws-auth.js';
import { RUN_EVENT_FEED, type RunEventFeed } from '../../application/ports/run-event-feed.js';
import { createEventEncoder } from './protocol.js';
import { CLOSE_GOING_AWAY, CLOSE_INTERNAL_ERROR, WsConnection } from './ws-connection.js';
import { MAX_CLIENT_FRAME_BYTES, WS_GATEWAY_OPTIONS, type WsGatewayOptions } from './ws-gateway-options.js';

/**
 * `/ws` (docs/contract.md#live-progress) on the api port. Nest provides the server, its lifecycle and DI; the
 * protocol is handled on the raw sockets (`WsConnection`) rather than with
 * `@SubscribeMessage`, because Nest's message mapping speaks `{ event, data }`, silently
 * drops frames it cannot map (the contract wants an `error` reply) and sends one reply per handler,
 * while a subscription must send `subscribed` and then a stream of events in order.
 */
@WebSocketGateway({ path: '/ws', maxPayload: MAX_CLIENT_FRAME_BYTES })
export class RunEventsGateway
  implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy
{
  private readonly logger = new Logger('ws');
  private readonly connections = new Map<WebSocket, WsConnection>();
  private readonly encodeEvent = createEventEncoder();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @Inject(RUN_EVENT_FEED) private readonly feed: RunEventFeed,
    @Inject(WS_GATEWAY_OPTIONS) private readonly options: WsGatewayOptions,
    @Optional() @Inject(AUTHENTICATION) private readonly auth: Authentication | null = null,
  ) {}

  onModuleInit(): void {
    // One timer for every socket; unref'd, so it never keeps a process alive on its own.
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatIntervalMs).unref();
  }

  handleConnection(socket: WebSocket, request?: IncomingMessage): void {
    if (!this.auth?.enabled) {
      this.connections.set(
        socket,
        new WsConnection(socket, this.feed, this.options, this.encodeEvent, this.logger),
      );
      return;
    }
    // No frame is read until the upgrade's credential is checked.
    socket.pause();
    WsAuth.open(this.auth.verifier, socket, request, this.options.authTimeoutMs).then(
      (auth) => {
        if (socket.readyState !== WebSocket.OPEN) return auth.dispose();
        const connection = new WsConnection(
          socket,
          this.feed,
          this.options,
          this.encodeEvent,
          this.logger,
          auth,
        );
        this.connections.set(socket, connection);
        socket.resume();
      },
      (error: unknown) => {
        this.logger.error(`/ws authentication failed: ${String(error)}`);
        socket.close(CLOSE_INTERNAL_ERROR, 'authentication failed');
      },
    );
  }

  handleDisconnect(socket: WebSocket): void {
    this.connections.get(socket)?.release();
    this.connections.delete(socket);
  }

  /** Live subscriptions across this process's sockets (for tests and metrics). */
  get subscriptionCount(): number {
    let count = 0;
    for (const connection of this.connections.values()) count += connection.subscriptionCount;
    return count;
  }

  onModuleDestroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    // Release before the feed stops, and tell clients to reconnect elsewhere; Nest's adapter
    // terminates whatever is still open when it closes the server.
    for (const connection of this.connections.values())
      connection.close(CLOSE_GOING_AWAY, 'server shutting down');
  }

  private beat(): void {
    for (const connection of this.connections.values()) connection.heartbeat();
  }
}
