import type {
  CredentialVerifier,
  PresentedCredential,
  Principal,
} from '../../application/ports/credential-verifier.js';
import type { RequestIdentity } from './request-identity.js';

/** How the api authenticates: off (every request is the local admin) or with a verifier. */
export interface Authentication {
  readonly enabled: boolean;
  readonly verifier: CredentialVerifier;
  /** `SAGAFLOW_METRICS_TOKEN`: a Bearer token that may scrape `/metrics` and nothing else. */
  readonly metricsToken?: string | null;
}

export const AUTHENTICATION = Symbol('Authentication');

/** The `WWW-Authenticate` challenge of every 401 (RFC 9110 §11.6.1). */
export const AUTH_CHALLENGE = 'Bearer realm="sagaflow", ApiKey realm="sagaflow"';

type Headers = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The credential of `Authorization: Bearer <jwt>`, `Authorization: ApiKey <key>` or
 * `X-API-Key: <key>`; null when none is sent, `malformed` for another scheme.
 */
export function credentialFromHeaders(
  headers: Headers | undefined,
): PresentedCredential | null | 'malformed' {
  const authorization = first(headers?.authorization);
  if (authorization !== undefined && authorization.trim() !== '') return credentialFromText(authorization);
  const apiKey = first(headers?.['x-api-key'])?.trim();
  return apiKey ? { kind: 'api-key', key: apiKey } : null;
}

/** `Bearer …` or `ApiKey …` (a graphql-ws `authorization`); a bare token of a `/ws` auth frame is read as its shape says. */
export function credentialFromText(text: string): PresentedCredential | 'malformed' {
  const match = /^\s*(Bearer|ApiKey)\s+(\S+)\s*$/i.exec(text);
  if (!match) return 'malformed';
  return match[1]!.toLowerCase() === 'bearer'
    ? { kind: 'bearer', token: match[2]! }
    : { kind: 'api-key', key: match[2]! };
}

/** A bare token: three dot-separated parts is a JWT, anything else an API key. */
export function credentialFromToken(token: string): PresentedCredential | 'malformed' {
  if (/\s/.test(token.trim())) return credentialFromText(token);
  const value = token.trim();
  if (value === '') return 'malformed';
  return value.split('.').length === 3 ? { kind: 'bearer', token: value } : { kind: 'api-key', key: value };
}

export type Authenticated =
  { ok: true; identity: RequestIdentity } | { ok: false; status: 401 | 403; detail: string };

/**
 * Verifies a presented credential and grants `namespace` (docs/contract.md#security-and-tenancy, "Answers"): no or bad
 * credential 401, a namespace not granted 403. The actor acts in the requested namespace.
 */
export async function authenticate(
  verifier: CredentialVerifier,
  credential: PresentedCredential | null | 'malformed',
  namespace: string,
): Promise<Authenticated> {
  if (credential === null) return { ok: false, status: 401, detail: 'a credential is required' };
  if (credential === 'malformed') {
    return { ok: false, status: 401, detail: 'the credential must be "Bearer <jwt>" or "ApiKey <key>"' };
  }
  const verified = await verifier.verify(credential);
  if (!verified.ok) return { ok: false, status: 401, detail: verified.reason };
  const { principal } = verified;
  if (!grants(principal, namespace)) {
    return { ok: false, status: 403, detail: `namespace "${namespace}" is not granted to this credential` };
  }
  return { ok: true, identity: identityOf(principal, namespace) };
}

export function grants(principal: Principal, namespace: string): boolean {
  return principal.namespaces === '*' || principal.namespaces.includes(namespace);
}

function identityOf(principal: Principal, namespace: string): RequestIdentity {
  return {
    actor: Object.freeze({
      principal: principal.id,
      namespace,
      roles: principal.roles,
      grants: principal.namespaces,
    }),
    ...(principal.rateLimit ? { rateLimit: principal.rateLimit } : {}),
    ...(principal.expiresAt !== undefined ? { expiresAt: principal.expiresAt } : {}),
  };
}
