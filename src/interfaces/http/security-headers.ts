import { createHash } from 'node:crypto';
import helmet from 'helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';

type Directives = Record<string, string[]>;

/** The API answers JSON and problem+json only: nothing may load, frame or be framed. */
const API_POLICY: Directives = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/** Swagger UI at /docs: its own scripts and styles (served from /docs), inline styles, data: images. */
const DOCS_POLICY: Directives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** GraphiQL (GET /graphql, development only) loads React and GraphiQL from unpkg. */
const GRAPHIQL_CDN = 'https://unpkg.com';

/**
 * Security headers on every HTTP answer with helmet (docs/security.md#transport-hardening):
 * a CSP that lets nothing load for the API, Swagger UI's own assets for /docs, and for the
 * GraphiQL page exactly its inline script (by hash) and the CDN it loads from. Register before
 * the authentication hook, so 401s and 429s carry the headers too.
 */
export async function installSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  // Built once: @fastify/helmet builds helmet's middleware (and parses the CSP) on every
  // request, which cost about 1.5 % of the CPU of a run start (docs/performance.md).
  const apply = helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_POLICY } });
  fastify.addHook('onRequest', (request, reply, done) =>
    apply(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
  );
  fastify.addHook('onRequest', async (request, reply) => {
    if (isDocsPath(request.url)) setPolicy(reply, DOCS_POLICY);
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || typeof payload !== 'string') return payload;
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !type.startsWith('text/html') || isDocsPath(request.url)) return payload;
    setPolicy(reply, graphiqlPolicy(payload));
    return payload;
  });
}

function isDocsPath(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
}

/** The page's inline scripts by hash, its external ones from the CDN only. */
function graphiqlPolicy(html: string): Directives {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, body]) => `'sha256-${createHash('sha256').update(body!, 'utf8').digest('base64')}'`,
  );
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", GRAPHIQL_CDN, ...hashes],
    styleSrc: ["'self'", GRAPHIQL_CDN, "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', GRAPHIQL_CDN],
    fontSrc: ["'self'", 'data:', GRAPHIQL_CDN],
    connectSrc: ["'self'", 'ws:', 'wss:'],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  };
}

function setPolicy(reply: FastifyReply, directives: Directives): void {
  void reply.header('content-security-policy', serialize(directives));
}

/** `defaultSrc` → `default-src 'self'`, joined with `;` as helmet writes it. */
function serialize(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join(';');
}
