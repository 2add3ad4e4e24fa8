import { SignJWT } from 'jose';
import { createApp, type CreateAppOptions, type SagaflowApp } from '../../../../src/app/create-app.js';
import type { AppConfig } from '../../../../src/infrastructure/config/app-config.js';
import type { JwtConfig } from '../../../../src/infrastructure/config/auth-config.js';
import { cleanup, isolatedConfig } from '../../../integration/support/harness.js';

export const SECRET = 'test-secret-of-at-least-thirty-two-bytes!';
export const ADMIN_KEY = 'sf_test_bootstrap_admin_key';
export const AUDIENCE = 'sagaflow-test';
export const ISSUER = 'https://idp.test/';

export interface AuthApp {
  sagaflow: SagaflowApp;
  url: string;
  close(): Promise<void>;
}

/** The configuration of an api with auth on (loopback), the given JWT keys and the bootstrap admin key. */
export function authConfig(jwt: Partial<JwtConfig>, label = 'auth'): Partial<AppConfig> {
  return {
    ...isolatedConfig(label, ['api']),
    auth: true,
    adminApiKey: ADMIN_KEY,
    jwt: {
      secret: null,
      publicKey: null,
      jwksFile: null,
      algorithm: null,
      issuer: ISSUER,
      audience: AUDIENCE,
      ...jwt,
    },
  };
}

/** An api (auth on, loopback) with the given JWT keys and the bootstrap admin key. */
export async function startAuthApp(
  jwt: Partial<JwtConfig>,
  label = 'auth',
  options: CreateAppOptions = {},
): Promise<AuthApp> {
  const config = authConfig(jwt, label);
  const sagaflow = await createApp(config, options);
  return {
    sagaflow,
    url: sagaflow.url!,
    close: () => cleanup(sagaflow, config, []),
  };
}

export interface TokenOptions {
  roles?: string[];
  namespaces?: string[];
  expiresIn?: string | number;
  audience?: string;
  issuer?: string;
}

/** An HS256 token signed with `secret`. */
export function hsToken(secret: string | Uint8Array, options: TokenOptions = {}): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return claims(options).setProtectedHeader({ alg: 'HS256' }).sign(key);
}

export function claims(options: TokenOptions): SignJWT {
  return new SignJWT({ roles: options.roles ?? ['viewer'], namespaces: options.namespaces ?? ['*'] })
    .setSubject('user-1')
    .setIssuedAt()
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setExpirationTime(options.expiresIn ?? '1h');
}

/**
 * HS256 tokens the matrices try: one per role, and an admin token that expired or names another
 * audience (both refused with 401).
 */
export async function roleTokens(secret: string): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const role of ['worker', 'viewer', 'operator', 'admin'])
    tokens[role] = await hsToken(secret, { roles: [role] });
  tokens.expired = await hsToken(secret, {
    roles: ['admin'],
    expiresIn: Math.floor(Date.now() / 1000) - 120,
  });
  tokens.wrongAudience = await hsToken(secret, { roles: ['admin'], audience: 'someone-else' });
  return tokens;
}

/** `alg: none`: a header and claims with no signature. */
export function unsignedToken(options: TokenOptions = {}): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({
    sub: 'user-1',
    roles: options.roles ?? ['admin'],
    namespaces: ['*'],
    iss: ISSUER,
    aud: AUDIENCE,
    exp: now + 3600,
  })}.`;
}
