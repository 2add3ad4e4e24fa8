import type { ActorRole } from '../actor.js';
import type { RateBudget } from '../rate-budget.js';

/** What a caller presented: a Bearer JWT or an API key (docs/security.md#authentication-and-roles). */
export type PresentedCredential = { kind: 'bearer'; token: string } | { kind: 'api-key'; key: string };

/** Who a valid credential names, with what it is granted. */
export interface Principal {
  /** A JWT's `sub`, or `api-key:<id>`. */
  readonly id: string;
  readonly roles: readonly ActorRole[];
  /** Granted namespaces; `'*'` grants every one. */
  readonly namespaces: readonly string[] | '*';
  /** Seconds since the epoch after which the credential stops being valid (a JWT's `exp`). */
  readonly expiresAt?: number;
  /** The credential's own request budget (an API key's `rateLimit`). */
  readonly rateLimit?: RateBudget;
}

/** A refused credential, with a reason safe to show the caller (never the credential itself). */
export type Verification = { ok: true; principal: Principal } | { ok: false; reason: string };

/** Checks a presented credential; implemented by the JWT and API-key adapters. */
export interface CredentialVerifier {
  verify(credential: PresentedCredential): Promise<Verification>;
}

export const CREDENTIAL_VERIFIER = Symbol('CredentialVerifier');

export const refused = (reason: string): Verification => ({ ok: false, reason });
