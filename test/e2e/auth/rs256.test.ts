import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT, exportPKCS8, exportSPKI, importPKCS8, generateKeyPair, type CryptoKey } from 'jose';
import { claims, hsToken, startAuthApp, unsignedToken, type AuthApp } from './support/auth-app.js';

/** With a public key configured, only its algorithm is accepted (docs/security.md#authentication-and-roles). */
describe('Bearer JWT with SAGAFLOW_JWT_PUBLIC_KEY (RS256)', () => {
  let app: AuthApp;
  let privateKey: CryptoKey;
  let publicPem: string;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    app = await startAuthApp({ publicKey: publicPem }, 'rs256');
  });
  afterAll(() => app.close());

  const runs = (token: string) =>
    fetch(`${app.url}/v1/runs`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('accepts a token signed with the private key', async () => {
    const token = await claims({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    expect(await runs(token)).toBe(200);
  });

  it('refuses an HS256 token signed with the public key as its secret (the HS/RS swap)', async () => {
    expect(await runs(await hsToken(new TextEncoder().encode(publicPem), { roles: ['admin'] }))).toBe(401);
  });

  it('refuses alg none and another RSA algorithm', async () => {
    expect(await runs(unsignedToken())).toBe(401);
    const ps = await claims({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'RS512' })
      .sign(await importPKCS8(await exportPKCS8(privateKey), 'RS512'));
    expect(await runs(ps)).toBe(401);
  });

  it('refuses a token without exp', async () => {
    const noExp = await new SignJWT({ roles: ['admin'], namespaces: ['*'] })
      .setSubject('user-1')
      .setIssuer('https://idp.test/')
      .setAudience('sagaflow-test')
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    expect(await runs(noExp)).toBe(401);
  });
});
