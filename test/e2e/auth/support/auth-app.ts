import { SignJWT } from 'jose';
import { createApp, type CreateAppOptions, type SagaflowApp } from '../../../../src/app/create-app.js';
import type { AppConfig, JwtConfig } from '../../../../src/infrastructure/config/app-config.js';
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

/** An api (auth on, loopback) with the given JWT keys and the bootstrap admin key. */
export async function startAuthApp(
  jwt: Partial<JwtConfig>,
  label = 'auth',
  options: CreateAppOptions = {},
): Promise<AuthApp> {
  const config: Partial<AppConfig> = {
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
