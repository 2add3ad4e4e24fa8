import type { Actor } from '../../application/actor.js';
import type { RateBudget } from '../../application/rate-budget.js';

/** What authentication established about one request or socket. */
export interface RequestIdentity {
  readonly actor: Actor;
  /** A request's own rate budget, when its credential carries one (an API key's `rateLimit`). */
  readonly rateLimit?: RateBudget;
  /** Seconds since the epoch after which the credential is no longer valid (a JWT's `exp`). */
  readonly expiresAt?: number;
}

const identities = new WeakMap<object, RequestIdentity>();

/** Attaches the authenticated identity to a request (the raw Fastify request or the upgrade request). */
export function setRequestIdentity(request: object, identity: RequestIdentity): void {
  identities.set(request, identity);
}

export function requestIdentity(request: unknown): RequestIdentity | undefined {
  return typeof request === 'object' && request !== null ? identities.get(request) : undefined;
}
