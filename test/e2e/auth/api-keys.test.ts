import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { ADMIN_KEY, SECRET, hsToken, startAuthApp, type AuthApp } from './support/auth-app.js';

/**
 * API keys (docs/security.md#api-keys): an admin creates one, sees the key once, and from then
 * on only its SHA-256 is stored; the key works within what it grants, its use is recorded, and
 * a revocation or an expiry refuses it from the next request on.
 */
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface ApiKeyAnswer {
  id: string;
  key?: string;
  namespace: string;
  namespaces: string[];
  roles: string[];
  lastUsedAt: string | null;
  rateLimit: string | null;
  createdBy: string;
}

describe('API keys', () => {
  let app: AuthApp;
  let teamAAdmin = '';

  const call = async (
    credential: string,
    method: string,
    path: string,
    body?: unknown,
    namespace = 'team-a',
  ): Promise<Answer> => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: {
        authorization: credential,
        'sagaflow-namespace': namespace,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  const asAdmin = (method: string, path: string, body?: unknown, namespace?: string) =>
    call(`Bearer ${teamAAdmin}`, method, path, body, namespace);
  const create = async (body: Record<string, unknown>): Promise<ApiKeyAnswer> => {
    const created = await asAdmin('POST', '/v1/api-keys', body);
    expect(created.status).toBe(201);
    return created.body as unknown as ApiKeyAnswer;
  };
  const rowsOf = async (id: string) =>
    (
      await sql<Record<string, unknown>>`select * from api_keys where id = ${id}::uuid`.execute(
        app.sagaflow.runtime.db(),
      )
    ).rows;

  beforeAll(async () => {
    app = await startAuthApp({ secret: SECRET }, 'api-keys');
    teamAAdmin = await hsToken(SECRET, { roles: ['admin'], namespaces: ['team-a'] });
  });
  afterAll(() => app.close());

  it('shows the key once, stores only its SHA-256 and answers it in the granted namespace', async () => {
    const created = await create({ name: 'billing', roles: ['operator'], rateLimit: '50/1m' });
    expect(created).toMatchObject({
      namespace: 'team-a',
      namespaces: ['team-a'],
      roles: ['operator'],
      rateLimit: '50/1m',
      createdBy: 'user-1',
      lastUsedAt: null,
    });
    const key = created.key!;
    expect(key).toMatch(/^sfk_[A-Za-z0-9_-]{43}$/);

    const [row] = await rowsOf(created.id);
    expect(row!.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.slice(4));

    const listed = await asAdmin('GET', '/v1/api-keys');
    expect(listed.status).toBe(200);
    const items = listed.body.items as ApiKeyAnswer[];
    expect(items.map((item) => item.id)).toContain(created.id);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(items.every((item) => !('key' in item))).toBe(true);

    // Its namespace: allowed, and the use is recorded; another namespace: 403.
    expect((await call(`ApiKey ${key}`, 'GET', '/v1/runs')).status).toBe(200);
    const viaHeader = await fetch(`${app.url}/v1/definitions`, {
      headers: { 'x-api-key': key, 'sagaflow-namespace': 'team-a' },
    });
    expect(viaHeader.status).toBe(200);
    expect((await call(`ApiKey ${key}`, 'GET', '/v1/runs', undefined, 'team-b')).status).toBe(403);
    // Its role: an operator may start runs but not register definitions.
    const register = await call(`ApiKey ${key}`, 'POST', '/v1/definitions', {
      name: 'by-key',
      tasks: [{ key: 'a', type: 'delay', input: { ms: 1 } }],
    });
    expect(register.status).toBe(403);

    const [used] = await rowsOf(created.id);
    expect(used!.last_used_at).not.toBeNull();
    const relisted = (await asAdmin('GET', '/v1/api-keys')).body.items as ApiKeyAnswer[];
    expect(relisted.find((item) => item.id === created.id)!.lastUsedAt).not.toBeNull();
  });

  it('refuses a revoked key from the next request on, and a second revoke is a 404', async () => {
    const { id, key } = await create({ name: 'short-lived', roles: ['viewer'] });
    expect((await call(`ApiKey ${key!}`, 'GET', '/v1/runs')).status).toBe(200);

    expect((await asAdmin('DELETE', `/v1/api-keys/${id}`)).status).toBe(204);
    const refused = await call(`ApiKey ${key!}`, 'GET', '/v1/runs');
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('the API key was revoked');

    expect((await asAdmin('DELETE', `/v1/api-keys/${id}`)).status).toBe(404);
    expect((await asAdmin('DELETE', '/v1/api-keys/not-a-uuid')).status).toBe(404);
    const listed = (await asAdmin('GET', '/v1/api-keys')).body.items as ApiKeyAnswer[];
    expect(listed.map((item) => item.id)).not.toContain(id);
  });

  it('refuses an expired key', async () => {
    const { id, key } = await create({
      name: 'expiring',
      roles: ['viewer'],
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await call(`ApiKey ${key!}`, 'GET', '/v1/runs')).status).toBe(200);
    await sql`update api_keys set expires_at = now() - interval '1 second' where id = ${id}::uuid`.execute(
      app.sagaflow.runtime.db(),
    );
    const refused = await call(`ApiKey ${key!}`, 'GET', '/v1/runs');
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('the API key has expired');
  });

  it('refuses an unknown key like any bad credential', async () => {
    const refused = await call('ApiKey sfk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'GET', '/v1/runs');
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('unknown API key');
  });

  it('lets only admins manage keys, and only with namespaces they hold', async () => {
    const operator = await hsToken(SECRET, { roles: ['operator'], namespaces: ['team-a'] });
    const denied = await call(`Bearer ${operator}`, 'POST', '/v1/api-keys', { name: 'x', roles: ['viewer'] });
    expect(denied.status).toBe(403);
    expect((await call(`Bearer ${operator}`, 'GET', '/v1/api-keys')).status).toBe(403);

    const foreign = await asAdmin('POST', '/v1/api-keys', {
      name: 'x',
      roles: ['viewer'],
      namespaces: ['team-b'],
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.detail).toBe('namespaces not granted to this credential: team-b');
    const everything = await asAdmin('POST', '/v1/api-keys', {
      name: 'x',
      roles: ['viewer'],
      namespaces: ['*'],
    });
    expect(everything.status).toBe(403);

    // The bootstrap key holds every namespace, so it may grant several.
    const wide = await call(`ApiKey ${ADMIN_KEY}`, 'POST', '/v1/api-keys', {
      name: 'ci',
      roles: ['viewer'],
      namespaces: ['team-a', 'team-b'],
    });
    expect(wide.status).toBe(201);
    const key = (wide.body as unknown as ApiKeyAnswer).key!;
    expect((await call(`ApiKey ${key}`, 'GET', '/v1/runs', undefined, 'team-b')).status).toBe(200);
  });

  it('keeps each namespace to its own keys', async () => {
    const { id } = await create({ name: 'team-a-only', roles: ['viewer'] });
    const teamBAdmin = await hsToken(SECRET, { roles: ['admin'], namespaces: ['team-b'] });
    const listed = await call(`Bearer ${teamBAdmin}`, 'GET', '/v1/api-keys', undefined, 'team-b');
    expect(listed.status).toBe(200);
    expect((listed.body.items as ApiKeyAnswer[]).map((item) => item.id)).not.toContain(id);
    const revoke = await call(`Bearer ${teamBAdmin}`, 'DELETE', `/v1/api-keys/${id}`, undefined, 'team-b');
    expect(revoke.status).toBe(404);
    expect((await rowsOf(id))[0]!.revoked_at).toBeNull();
  });

  it('names every invalid field of a create', async () => {
    const invalid = await asAdmin('POST', '/v1/api-keys', {
      name: '',
      roles: ['root'],
      expiresAt: '2001-01-01T00:00:00Z',
      rateLimit: 'lots',
      extra: true,
    });
    expect(invalid.status).toBe(400);
    expect((invalid.body.errors as { path: string }[]).map((issue) => issue.path).sort()).toEqual([
      'expiresAt',
      'extra',
      'name',
      'rateLimit',
      'roles',
    ]);
  });
});
