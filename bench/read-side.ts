import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { SagaflowApp } from '../src/app/create-app.js';
import { DEFAULT_NAMESPACE } from '../src/application/actor.js';
import { lineFrom, spawnScript } from './processes.js';
import { round } from './stats.js';

interface Load {
  requestsPerSec: number;
  total: number;
  latencyMs: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}

async function load(url: string, seconds: number): Promise<Load> {
  const child = spawnScript('http-load', { BENCH_URL: url, BENCH_SECONDS: String(seconds) });
  const result = JSON.parse(await lineFrom(child)) as Load;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`GET ${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}

/**
 * GET /v1/runs/{id} served from the Redis cache, against its raw ceiling measured in the same
 * run: a bare Fastify route in this process that does the same Redis read of the same key and
 * sends the stored JSON as it is (no NestJS, no CQRS bus, no parse). Alternated twice each
 * so a noisy moment on the shared box hurts both sides alike.
 */
export async function getRunCacheHit(app: SagaflowApp, runId: string, seconds: number) {
  const apiUrl = `${app.url}/v1/runs/${runId}`;
  const warm = await fetch(apiUrl);
  if (warm.status !== 200) throw new Error(`GET ${apiUrl}: ${warm.status}`);
  await warm.arrayBuffer();

  const redis = new Redis(app.config.redisUrl);
  const prefix = app.config.redisPrefix;
  const bare = Fastify();
  bare.get<{ Params: { id: string } }>('/bare/:id', async (request, reply) => {
    // The cache's keys (src/infrastructure/cache/redis-run-view-cache.ts), in the namespace the
    // bench's runs are in (auth off: `default`).
    const run = `${prefix}run:{${DEFAULT_NAMESPACE}}:${request.params.id}`;
    const [, stored] = await redis.mget(`${run}:v`, `${run}:view`);
    if (!stored) return reply.code(404).send();
    return reply.type('application/json').send(stored.slice(stored.indexOf('|') + 1));
  });
  const bareUrl = `${await bare.listen({ port: 0, host: '127.0.0.1' })}/bare/${runId}`;
  try {
    const hitsBefore = app.runtime.readSide.cache.stats.hits;
    const ours: Load[] = [];
    const raw: Load[] = [];
    for (let i = 0; i < 2; i++) {
      ours.push(await load(apiUrl, seconds));
      raw.push(await load(bareUrl, seconds));
    }
    const hits = app.runtime.readSide.cache.stats.hits - hitsBefore;
    const served = ours.reduce((sum, l) => sum + l.total, 0);
    if (hits < served) throw new Error(`only ${hits} of ${served} GETs were cache hits`);
    const rps = (loads: Load[]) => loads.reduce((sum, l) => sum + l.requestsPerSec, 0) / loads.length;
    return {
      requestsPerSec: Math.round(rps(ours)),
      bareFastifyRequestsPerSec: Math.round(rps(raw)),
      ratio: round(rps(ours) / rps(raw), 3),
      latencyMs: ours.at(-1)!.latencyMs,
    };
  } finally {
    await bare.close();
    redis.disconnect();
  }
}
