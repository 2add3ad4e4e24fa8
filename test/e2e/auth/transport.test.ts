import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebSocket } from 'ws';
import { createApp } from '../../../src/app/create-app.js';
import type { AppConfig } from '../../../src/infrastructure/config/app-config.js';
import { cleanup, isolatedConfig } from '../../integration/support/harness.js';
import { SECRET, authConfig, hsToken } from './support/auth-app.js';

/** Transport hardening (docs/security.md#transport-hardening), each against a real api. */
async function started(config: Partial<AppConfig>) {
  const app = await createApp(config);
  return { app, url: app.url!, close: () => cleanup(app, config, []) };
}

type Started = Awaited<ReturnType<typeof started>>;

/** How an upgrade ends: the socket opened, or the HTTP status it was refused with. */
function upgrade(url: string, headers: Record<string, string>, protocol?: string): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocol, { headers });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', (error) => reject(error));
  });
}

describe('security headers', () => {
  let api: Started;
  beforeAll(async () => {
    api = await started(isolatedConfig('headers', ['api']));
  });
  afterAll(() => api.close());

  it('are on the API, /docs and /graphql, with a CSP fit for each', async () => {
    const get = (path: string, accept = 'application/json') =>
      fetch(`${api.url}${path}`, { headers: { accept } });
    for (const response of [await get('/v1/runs'), await get('/v1/runs/nope'), await get('/asyncapi.json')]) {
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      );
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }

    const docs = await get('/docs', 'text/html');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    const docsPolicy = docs.headers.get('content-security-policy')!;
    expect(docsPolicy).toContain("script-src 'self'");
    expect(docsPolicy).not.toContain("script-src 'self' 'unsafe-inline'");
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');

    // GraphiQL (development): its one inline script by hash, its CDN, nothing else.
    const graphiql = await get('/graphql', 'text/html');
    expect(graphiql.status).toBe(200);
    const policy = graphiql.headers.get('content-security-policy')!;
    expect(policy).toMatch(/script-src 'self' https:\/\/unpkg\.com 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);

    const operation = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(operation.status).toBe(200);
    expect(operation.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(operation.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('SAGAFLOW_ALLOWED_ORIGINS', () => {
  let api: Started;
  beforeAll(async () => {
    api = await started({
      ...isolatedConfig('origins', ['api']),
      allowedOrigins: ['https://app.example.com'],
    });
  });
  afterAll(() => api.close());

  it.each([
    ['/ws', undefined],
    ['/graphql', 'graphql-transport-ws'],
  ])(
    '%s: refuses a foreign Origin (403) and lets an allowed one and none through',
    async (path, protocol) => {
      const url = api.url.replace(/^http/, 'ws') + path;
      expect(await upgrade(url, { origin: 'https://evil.example' }, protocol)).toBe(403);
      expect(await upgrade(url, { origin: 'https://app.example.com.evil.example' }, protocol)).toBe(403);
      expect(await upgrade(url, { origin: 'https://app.example.com' }, protocol)).toBe('open');
      expect(await upgrade(url, {}, protocol)).toBe('open');
    },
  );
});

describe('/metrics', () => {
  const scrape = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/metrics`, { headers }).then((response) => response.status);

  it('with auth on and no token, needs an operator', async () => {
    const api = await started(authConfig({ secret: SECRET }, 'metrics-op'));
    try {
      expect(await scrape(api.url)).toBe(401);
      const viewer = await hsToken(SECRET, { roles: ['viewer'] });
      const operator = await hsToken(SECRET, { roles: ['operator'] });
      expect(await scrape(api.url, { authorization: `Bearer ${viewer}` })).toBe(403);
      expect(await scrape(api.url, { authorization: `Bearer ${operator}` })).toBe(200);
    } finally {
      await api.close();
    }
  });

  it.each([
    ['auth on', true],
    ['auth off', false],
  ])('with %s and SAGAFLOW_METRICS_TOKEN, answers that token', async (_mode, auth) => {
    const api = await started({
      ...authConfig({ secret: SECRET }, 'metrics-token'),
      auth,
      metricsToken: 'scrape-me',
    });
    try {
      expect(await scrape(api.url, { authorization: 'Bearer scrape-me' })).toBe(200);
      expect(await scrape(api.url, { authorization: 'Bearer scrape-you' })).toBe(401);
      expect(await scrape(api.url)).toBe(401);
      // The token opens /metrics only.
      const runs = await fetch(`${api.url}/v1/runs`, { headers: { authorization: 'Bearer scrape-me' } });
      expect(runs.status).toBe(auth ? 401 : 200);
    } finally {
      await api.close();
    }
  });
});

describe('GraphQL in production', () => {
  const introspection = '{ __schema { types { name } } }';
  const misspelled = '{ runz { nextCursor } }';
  const ask = (url: string, query: string) =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { data?: unknown; errors?: { message: string }[] },
    }));

  it('refuses introspection and names no other field; in development both work', async () => {
    const production = await started({ ...isolatedConfig('gql-prod', ['api']), production: true });
    const development = await started(isolatedConfig('gql-dev', ['api']));
    try {
      const refused = await ask(production.url, introspection);
      expect(refused.status).toBe(400);
      expect(refused.body.errors![0]!.message).toMatch(/introspection/i);
      const typo = await ask(production.url, misspelled);
      expect(typo.status).toBe(400);
      expect(typo.body.errors![0]!.message).toBe('Cannot query field "runz" on type "Query".');
      expect(
        (await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } })).status,
      ).not.toBe(200);

      expect((await ask(development.url, introspection)).status).toBe(200);
      expect((await ask(development.url, misspelled)).body.errors![0]!.message).toMatch(
        /Did you mean "run" or "runs"\?/,
      );
    } finally {
      await production.close();
      await development.close();
    }
  });
});
