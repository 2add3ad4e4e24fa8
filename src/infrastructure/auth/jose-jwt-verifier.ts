import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWTVerifyGetKey,
  type KeyObject,
} from 'jose';
import { ACTOR_ROLES, isNamespaceName, type ActorRole } from '../../application/actor.js';
import {
  refused,
  type CredentialVerifier,
  type PresentedCredential,
  type Verification,
} from '../../application/ports/credential-verifier.js';
import type { JwtConfig } from '../config/auth-config.js';

/** Clock skew allowed on `exp` and `nbf` (docs/security.md#authentication-and-roles). */
const CLOCK_TOLERANCE_S = 30;

type Key = CryptoKey | KeyObject | Uint8Array | JWTVerifyGetKey;

/**
 * Bearer JWTs verified with `jose`. The one accepted algorithm is pinned from configuration,
 * so `alg: none`, an HS/RS swap (an HS256 token signed with the public key as secret) or any
 * other algorithm is refused by `jwtVerify` before a signature is even considered.
 */
export class JoseJwtVerifier implements CredentialVerifier {
  private constructor(
    private readonly key: Key,
    private readonly algorithm: string,
    private readonly config: JwtConfig,
  ) {}

  /** A verifier for the configured key, or null when no JWT key is configured. */
  static async fromConfig(config: JwtConfig): Promise<JoseJwtVerifier | null> {
    if (config.secret !== null) {
      return new JoseJwtVerifier(
        new TextEncoder().encode(config.secret),
        config.algorithm ?? 'HS256',
        config,
      );
    }
    if (config.publicKey !== null) {
      const algorithm = config.algorithm ?? defaultAlgorithm(config.publicKey);
      return new JoseJwtVerifier(await importSPKI(config.publicKey, algorithm), algorithm, config);
    }
    if (config.jwksFile !== null) {
      const jwks = JSON.parse(readFileSync(config.jwksFile, 'utf8')) as Parameters<
        typeof createLocalJWKSet
      >[0];
      return new JoseJwtVerifier(createLocalJWKSet(jwks), config.algorithm ?? 'RS256', config);
    }
    return null;
  }

  async verify(credential: PresentedCredential): Promise<Verification> {
    if (credential.kind !== 'bearer') return refused('not a bearer token');
    try {
      const { payload } = await jwtVerify(credential.token, this.key as Uint8Array, {
        algorithms: [this.algorithm],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_S,
        ...(this.config.issuer !== null ? { issuer: this.config.issuer } : {}),
        ...(this.config.audience !== null ? { audience: this.config.audience } : {}),
      });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is ActorRole => (ACTOR_ROLES as readonly unknown[]).includes(r))
        : [];
      const granted = Array.isArray(payload.namespaces) ? payload.namespaces : [];
      const namespaces = granted.includes('*') ? '*' : granted.filter(isNamespaceName);
      return {
        ok: true,
        principal: { id: String(payload.sub), roles, namespaces, expiresAt: payload.exp! },
      };
    } catch (error) {
      return refused(reasonOf(error));
    }
  }
}

/** RS256 for an RSA key, ES256 for a P-256 one (read from the PEM's SPKI). */
function defaultAlgorithm(pem: string): string {
  // The DER of an EC SPKI holds the id-ecPublicKey OID 1.2.840.10045.2.1.
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return der.includes(Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01])) ? 'ES256' : 'RS256';
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" ${error.reason}`;
  if (error instanceof errors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm not accepted here';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return 'the token is malformed';
  return 'the token is not valid';
}
