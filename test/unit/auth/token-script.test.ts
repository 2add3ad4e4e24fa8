import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from '@jest/globals';

import { JoseJwtVerifier } from '../../../src/infrastructure/auth/jose-jwt-verifier.js';
import type { JwtConfig } from '../../../src/infrastructure/config/auth-config.js';

const run = promisify(execFile);
const SCRIPT = join(process.cwd(), 'scripts/token.mjs');
const SECRET = 'a-development-secret-of-32-bytes!!';

const NO_KEYS: JwtConfig = {
  secret: null,
  publicKey: null,
  jwksFile: null,
  algorithm: null,
  issuer: null,
  audience: null,
};

async function mint(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [SCRIPT, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return stdout.trim();
}

describe('npm run token (scripts/token.mjs)', () => {
  it('mints an HS256 token the api verifier accepts, with the roles, namespaces and issuer asked for', async () => {
    const token = await mint(
      ['--role', 'operator', '--namespace', 'team-a', '--namespace', 'team-b', '--sub', 'alice'],
      { SAGAFLOW_JWT_SECRET: SECRET, SAGAFLOW_JWT_ISSUER: 'https://idp/', SAGAFLOW_JWT_AUDIENCE: 'sf' },
    );
    const verifier = await JoseJwtVerifier.fromConfig({
      ...NO_KEYS,
      secret: SECRET,
      issuer: 'https://idp/',
      audience: 'sf',
    });
    const verdict = await verifier!.verify({ kind: 'bearer', token });
    expect(verdict).toMatchObject({
      ok: true,
      principal: { id: 'alice', roles: ['operator'], namespaces: ['team-a', 'team-b'] },
    });
  });

  it('signs RS256 with --private-key for a server holding the public key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-token-'));
    try {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const token = await mint(['--private-key', keyFile, '--namespace', '*'], {});
      const verifier = await JoseJwtVerifier.fromConfig({
        ...NO_KEYS,
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
      const verdict = await verifier!.verify({ kind: 'bearer', token });
      expect(verdict).toMatchObject({ ok: true, principal: { roles: ['viewer'], namespaces: '*' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['--role', 'root'], /--role "root" is not one of/],
    [['--namespace', 'Team A'], /--namespace "Team A" is not a namespace name/],
    [['--ttl', 'forever'], /--ttl "forever"/],
  ])('refuses %j with exit code 2 and names the argument', async (args, message) => {
    await expect(mint(args, { SAGAFLOW_JWT_SECRET: SECRET })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(message),
    });
  });

  it('says which variable to set when no key is given', async () => {
    await expect(mint([], {})).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('SAGAFLOW_JWT_SECRET'),
    });
  });
});
