import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import {
  ADMIN_KEY,
  SECRET,
  hsToken,
  roleTokens,
  startAuthApp,
  unsignedToken,
  type AuthApp,
} from './support/auth-app.js';

/**
 * Every REST route against each kind of credential (docs/security.md#authentication-and-roles). A status other than
 * 401/403 means the request got past authentication and the policy (404 for an unknown id,
 * 400 for an empty body, …): what matters is who gets through.
 */
const ROUTES: { method: string; path: string; role: 'viewer' | 'operator' | 'admin'; body?: unknown }[] = [
  { method: 'GET', path: '/v1/definitions', role: 'viewer' },
  { method: 'GET', path: '/v1/definitions/nope', role: 'viewer' },
  { method: 'GET', path: '/v1/definitions/nope/versions/1', role: 'viewer' },
  { method: 'POST', path: '/v1/definitions/validate', role: 'viewer', body: {} },
  { method: 'POST', path: '/v1/definitions', role: 'admin', body: {} },
  { method: 'GET', path: '/v1/runs', role: 'viewer' },
  { method: 'GET', path: '/v1/runs/00000000-0000-4000-8000-000000000000', role: 'viewer' },
  { method: 'GET', path: '/v1/runs/00000000-0000-4000-8000-000000000000/events', role: 'viewer' },
  { method: 'POST', path: '/v1/runs', role: 'operator', body: {} },
  { method: 'POST', path: '/v1/runs/00000000-0000-4000-8000-000000000000/cancel', role: 'operator' },
  { method: 'POST', path: '/v1/runs/00000000-0000-4000-8000-000000000000/retry', role: 'operator' },
  { method: 'POST', path: '/v1/api-keys', role: 'admin', body: {} },
  { method: 'GET', path: '/v1/api-keys', role: 'admin' },
  { method: 'DELETE', path: '/v1/api-keys/00000000-0000-4000-8000-000000000000', role: 'admin' },
  { method: 'GET', path: '/v1/dead-letters', role: 'operator' },
  { method: 'GET', path: '/v1/dead-letters/00000000-0000-4000-8000-000000000000', role: 'operator' },
  { method: 'POST', path: '/v1/dead-letters/00000000-0000-4000-8000-000000000000/replay', role: 'operator' },
  { method: 'DELETE', path: '/v1/dead-letters/00000000-0000-4000-8000-000000000000', role: 'admin' },
  { method: 'GET', path: '/docs/json', role: 'viewer' },
  { method: 'GET', path: '/asyncapi.json', role: 'viewer' },
  { method: 'GET', path: '/metrics', role: 'operator' },
];

const RANK = { worker: 0, viewer: 1, operator: 2, admin: 3 } as const;

describe('REST with auth on (HS256)', () => {
  let app: AuthApp;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    app = await startAuthApp({ secret: SECRET });
    Object.assign(tokens, await roleTokens(SECRET));
    tokens.wrongIssuer = await hsToken(SECRET, { roles: ['admin'], issuer: 'https://evil.test/' });
    tokens.otherSecret = await hsToken('another-secret-of-at-least-thirty-two-bytes', { roles: ['admin'] });
    tokens.teamA = await hsToken(SECRET, { roles: ['admin'], namespaces: ['team-a'] });
    // An admin key of every namespace, revoked at once: refused like no key at all.
    const created = await call(
      'POST',
      '/v1/api-keys',
      { 'x-api-key': ADMIN_KEY },
      { name: 'revoked', roles: ['admin'], namespaces: ['*'] },
    );
    const { id, key } = (await created.json()) as { id: string; key: string };
    expect((await call('DELETE', `/v1/api-keys/${id}`, { 'x-api-key': ADMIN_KEY })).status).toBe(204);
    tokens.revokedKey = key;
  });
  afterAll(() => app.close());

  const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${app.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it.each(ROUTES)(
    '$method $path: no credential, expired, wrong audience/issuer/key, alg none, revoked key → 401 with a challenge',
    async (route) => {
      const refused: Record<string, string>[] = [
        {},
        bearer(tokens.expired!),
        bearer(tokens.wrongAudience!),
        bearer(tokens.wrongIssuer!),
        bearer(tokens.otherSecret!),
        bearer(unsignedToken()),
        { authorization: 'Basic dXNlcjpwYXNz' },
        { 'x-api-key': 'sf_not_a_key' },
        { 'x-api-key': tokens.revokedKey! },
        { authorization: `ApiKey ${tokens.revokedKey!}` },
      ];
      for (const headers of refused) {
        const response = await call(route.method, route.path, headers, route.body);
        expect({ headers, status: response.status }).toEqual({ headers, status: 401 });
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(response.headers.get('www-authenticate')).toMatch(/Bearer/);
        const problem = (await response.json()) as { status: number; detail: string };
        expect(problem.status).toBe(401);
      }
    },
  );

  it.each(ROUTES)('$method $path: each role gets through only from its minimum up', async (route) => {
    for (const role of ['worker', 'viewer', 'operator', 'admin'] as const) {
      const response = await call(route.method, route.path, bearer(tokens[role]!), route.body);
      const allowed = RANK[role] >= RANK[route.role] && role !== 'worker';
      if (allowed) expect({ role, status: response.status }).not.toEqual({ role, status: 403 });
      else expect({ role, status: response.status }).toEqual({ role, status: 403 });
      expect(response.status).not.toBe(401);
    }
    const bootstrap = await call(route.method, route.path, { 'x-api-key': ADMIN_KEY }, route.body);
    expect([401, 403]).not.toContain(bootstrap.status);
  });

  it('a namespace not granted is 403; a granted one passes', async () => {
    const denied = await call('GET', '/v1/runs', {
      ...bearer(tokens.teamA!),
      'sagaflow-namespace': 'team-b',
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { detail: string }).detail).toMatch(/team-b/);
    const absent = await call('GET', '/v1/runs', bearer(tokens.teamA!));
    expect(absent.status).toBe(403);
    const granted = await call('GET', '/v1/runs', {
      ...bearer(tokens.teamA!),
      'sagaflow-namespace': 'team-a',
    });
    expect(granted.status).toBe(200);
  });

  it('health and the docs page answer without a credential', async () => {
    for (const path of ['/health/live', '/health/ready', '/docs']) {
      const response = await call('GET', path, {});
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });

  it('an unknown route is 401 without a credential and 404 with one', async () => {
    expect((await call('GET', '/v1/nothing', {})).status).toBe(401);
    expect((await call('GET', '/v1/nothing', bearer(tokens.viewer!))).status).toBe(404);
  });

  it('GraphQL: a viewer reads, but a mutation needs operator (403 in the errors)', async () => {
    const gql = (token: string, query: string) =>
      call('POST', '/graphql', bearer(token), { query }).then(
        (r) => r.json() as Promise<Record<string, unknown>>,
      );
    const read = await gql(tokens.viewer!, '{ definitions { name } }');
    expect(read.errors).toBeUndefined();
    const write = (await gql(tokens.viewer!, 'mutation { cancelRun(id: "x") { id } }')) as {
      errors: { extensions: { code: string } }[];
    };
    expect(write.errors[0]!.extensions.code).toBe('FORBIDDEN');
    const noCredential = await call('POST', '/graphql', {}, { query: '{ definitions { name } }' });
    expect(noCredential.status).toBe(401);
  });
});
