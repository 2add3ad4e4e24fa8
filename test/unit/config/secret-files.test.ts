import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/infrastructure/config/app-config.js';
import { ConfigError } from '../../../src/infrastructure/config/config-variables.js';

/** Secrets from `<variable>_FILE` (docs/security.md#secrets-and-dependencies). */
describe('secret files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sagaflow-secrets-'));
  const file = (name: string, contents: string) => {
    const path = join(dir, name);
    writeFileSync(path, contents);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads each secret from its file, without the trailing newline', () => {
    const config = loadConfig({
      SAGAFLOW_JWT_SECRET_FILE: file('jwt', 'from-a-file-of-at-least-32-bytes!!\n'),
      SAGAFLOW_ADMIN_API_KEY_FILE: file('admin', 'admin-key\r\n'),
    });
    expect(config.jwt.secret).toBe('from-a-file-of-at-least-32-bytes!!');
    expect(config.adminApiKey).toBe('admin-key');
    const pem = '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----';
    expect(loadConfig({ SAGAFLOW_JWT_PUBLIC_KEY_FILE: file('pem', `${pem}\n`) }).jwt.publicKey).toBe(pem);
  });

  it.each([
    [
      { SAGAFLOW_ADMIN_API_KEY: 'a', SAGAFLOW_ADMIN_API_KEY_FILE: '/x' },
      /^SAGAFLOW_ADMIN_API_KEY: set SAGAFLOW_ADMIN_API_KEY or SAGAFLOW_ADMIN_API_KEY_FILE, not both$/,
    ],
    [
      { SAGAFLOW_JWT_SECRET_FILE: '/nonexistent/secret' },
      /^SAGAFLOW_JWT_SECRET_FILE: cannot read .*\(ENOENT\)$/,
    ],
  ])('refuses %j, naming the variable', (env, message) => {
    const attempt = () => loadConfig(env);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it('refuses an empty file', () => {
    expect(() => loadConfig({ SAGAFLOW_ADMIN_API_KEY_FILE: file('empty', '\n') })).toThrow(
      /^SAGAFLOW_ADMIN_API_KEY_FILE: ".*" is empty$/,
    );
  });
});
