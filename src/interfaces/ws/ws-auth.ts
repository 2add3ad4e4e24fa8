import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { CredentialVerifier, Principal } from '../../application/ports/credential-verifier.js';
import { credentialFromHeaders, credentialFromToken, grants } from '../identity/authenticate.js';
import { decide } from '../identity/policy.js';

/** No, a bad or an expired credential (docs/security.md#authentication-and-roles). */
export const CLOSE_UNAUTHENTICATED = 4401;

/**
 * Authentication of one `/ws` socket with auth on: the upgrade's `Authorization` (or
 * `X-API-Key`) header, else a first frame `{ "type": "auth", "token": "…" }` within
 * `timeoutMs`; without either the socket is closed with 4401, and so it is when its JWT
 * expires. Then every frame is decided by the policy table (`ws:<type>`) and its namespace.
 */
export class WsAuth {
  private principal: Principal | null = null;
  private timer: NodeJS.Timeout | null = null;
  private verifying: Promise<void> | null = null;

  private constructor(
    private readonly verifier: CredentialVerifier,
    private readonly socket: WebSocket,
  ) {}

  /** Authenticates from the upgrade headers, or starts waiting for the auth frame. */
  static async open(
    verifier: CredentialVerifier,
    socket: WebSocket,
    request: IncomingMessage | undefined,
    timeoutMs: number,
  ): Promise<WsAuth> {
    const auth = new WsAuth(verifier, socket);
    const credential = credentialFromHeaders(request?.headers);
    if (credential === null) {
      auth.timer = setTimeout(() => auth.reject('no credential within the time allowed'), timeoutMs);
      auth.timer.unref();
      return auth;
    }
    if (credential === 'malformed') {
      auth.reject('the credential must be "Bearer <jwt>" or "ApiKey <key>"');
      return auth;
    }
    const verified = await verifier.verify(credential);
    if (verified.ok) auth.admit(verified.principal);
    else auth.reject(verified.reason);
    return auth;
  }

  get authenticated(): boolean {
    return this.principal !== null;
  }

  /** The first frame of a socket not yet authenticated: it must be the auth frame. */
  async first(data: Buffer): Promise<void> {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      frame = null;
    }
    const { type, token } = (frame ?? {}) as { type?: unknown; token?: unknown };
    if (type !== 'auth' || typeof token !== 'string') {
      return this.reject('authenticate first: { "type": "auth", "token": "<jwt or api key>" }');
    }
    const credential = credentialFromToken(token);
    if (credential === 'malformed') return this.reject('the token is empty');
    this.verifying = this.verifier.verify(credential).then((verified) => {
      this.verifying = null;
      if (verified.ok) this.admit(verified.principal);
      else this.reject(verified.reason);
    });
    return this.verifying;
  }

  /** While the auth frame's credential is being checked: frames after it wait for this. */
  get pending(): Promise<void> | null {
    return this.verifying;
  }

  /** Why a frame is refused (an `error` frame's message), or null when it may go on. */
  refusal(type: string, namespace: string): string | null {
    const principal = this.principal;
    if (principal === null) return 'not authenticated';
    const decision = decide(`ws:${type}`, principal.roles);
    if (!decision.allowed) return decision.reason;
    return grants(principal, namespace) ? null : `namespace "${namespace}" is not granted to this credential`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private admit(principal: Principal): void {
    this.dispose();
    this.principal = principal;
    if (principal.expiresAt !== undefined) {
      const ms = Math.max(0, principal.expiresAt * 1000 - Date.now());
      // setTimeout holds at most ~24.8 days: a token valid longer is closed then and reconnects.
      this.timer = setTimeout(() => this.reject('the token has expired'), Math.min(ms, 2 ** 31 - 1));
      this.timer.unref();
    }
  }

  private reject(reason: string): void {
    this.dispose();
    this.principal = null;
    this.socket.close(CLOSE_UNAUTHENTICATED, reason.slice(0, 120));
  }
}
