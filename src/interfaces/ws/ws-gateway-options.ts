export const WS_GATEWAY_OPTIONS = Symbol('WsGatewayOptions');

/**
 * Largest frame a client may send on `/ws` or the graphql-ws socket; `ws` closes the socket
 * (1009) beyond it. Client frames are a few hundred bytes (a subscribe, a GraphQL document);
 * `ws`'s own default of 100 MiB would let one frame hold that much memory.
 */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;

/** Tuning of the `/ws` gateway (docs/contract.md#live-progress); every field has a production default. */
export interface WsGatewayOptions {
  /**
   * Interval of WebSocket ping frames. A socket that has not answered one ping with a pong
   * by the next is terminated, so dead peers release their subscriptions.
   * @default 30000
   */
  heartbeatIntervalMs: number;
  /**
   * Bytes a socket may have queued but not yet written; a client that reads slower than its
   * events arrive is cut off (close 1013) once it has more than this, instead of growing
   * the process's memory without bound.
   * @default 4194304 (4 MiB)
   */
  maxBufferedBytes: number;
  /** Subscriptions one connection may hold at once. @default 1000 */
  maxSubscriptions: number;
  /**
   * With auth on, how long a connection without a credential on its upgrade has to send its
   * `{ type: "auth", token }` frame before it is closed with 4401 (docs/security.md#authentication-and-roles).
   * @default 5000
   */
  authTimeoutMs: number;
}

export const DEFAULT_WS_GATEWAY_OPTIONS: WsGatewayOptions = {
  heartbeatIntervalMs: 30_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxSubscriptions: 1000,
  authTimeoutMs: 5000,
};

export function resolveWsGatewayOptions(overrides: Partial<WsGatewayOptions> = {}): WsGatewayOptions {
  const options = { ...DEFAULT_WS_GATEWAY_OPTIONS, ...overrides };
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`WebSocket gateway option ${name} must be a positive integer, got ${value}`);
    }
  }
  return options;
}
