import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import type { AppConfig } from '../../../src/infrastructure/config/app-config.js';
import { cleanup } from '../../integration/support/harness.js';
import { ADMIN_KEY, SECRET, authConfig, hsToken } from './support/auth-app.js';

/**
 * Rate limits (docs/security.md#rate-limits): one budget per principal held across api
 * instances through Redis, per client IP for refused credentials, an API key's own budget
 * over the installation's, and a 429 that says when to come back.
 */
const LIMIT = 5;

describe('rate limits', () => {
  const config: Partial<AppConfig> = {
    ...authConfig({ secret: SECRET }, 'ratelimit'),
    rateLimit: { limit: LIMIT, windowMs: 600_000 },
  };
  const apps: SagaflowApp[] = [];

  const get = async (app: SagaflowApp, headers: Record<string, string>, path = '/v1/runs') => {
    const response = await fetch(`${app.url!}${path}`, { headers });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };

  beforeAll(async () => {
    // Two api instances of one installation: one database, one Redis prefix.
    apps.push(await createApp(config));
    apps.push(await createApp(config));
  });
  afterAll(async () => {
    await apps[1]?.close();
    await cleanup(apps[0] ?? null, config, []);
  });

  it('holds one budget per principal across two api instances, then answers 429 with Retry-After', async () => {
    const token = await hsToken(SECRET, { roles: ['viewer'], namespaces: ['*'] });
    const headers = { authorization: `Bearer ${token}` };
    const statuses: number[] = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < LIMIT; i += 1) {
      const answer = await get(apps[i % 2]!, headers);
      statuses.push(answer.status);
      remaining.push(answer.headers.get('ratelimit-remaining'));
      expect(answer.headers.get('ratelimit-limit')).toBe(String(LIMIT));
    }
    expect(statuses).toEqual(Array<number>(LIMIT).fill(200));
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    for (const app of apps) {
      const refused = await get(app, headers);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(600);
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(JSON.parse(refused.body)).toMatchObject({ status: 429, title: 'Too Many Requests' });
    }

    // Another principal has its own budget, and the probes are never counted.
    const admin = await get(apps[0]!, { 'x-api-key': ADMIN_KEY });
    expect(admin.status).toBe(200);
    expect((await get(apps[0]!, headers, '/health/live')).status).toBe(200);
  });

  it("counts an API key against its own budget instead of the installation's", async () => {
    const created = await fetch(`${apps[0]!.url!}/v1/api-keys`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'tight', roles: ['viewer'], rateLimit: '2/10m' }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const headers = { 'x-api-key': key };
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await get(apps[i % 2]!, headers)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await get(apps[1]!, headers)).headers.get('ratelimit-limit')).toBe('2');
  });

  it('counts refused credentials per client IP, before authentication', async () => {
    // Only refusals are counted per IP; the accepted credentials above were counted per principal.
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i += 1) {
      statuses.push((await get(apps[i % 2]!, { 'x-api-key': `sfk_guess_${i}` })).status);
    }
    expect(statuses).toEqual([...Array<number>(LIMIT).fill(401), 429]);
  });
});
