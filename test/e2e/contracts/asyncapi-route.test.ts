import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { startHttpApp, type HttpApp } from '../support/http-app.js';

describe('GET /asyncapi.json', () => {
  let app: HttpApp;
  beforeAll(async () => {
    app = await startHttpApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers the committed docs/contracts/asyncapi.json over real HTTP', async () => {
    const response = await fetch(`${app.sagaflow.url!}/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(readFileSync('docs/contracts/asyncapi.json', 'utf8')));
  });
});
