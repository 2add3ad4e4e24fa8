import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainValidationError } from '../../domain/shared/domain-error.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from '../http/problem/problem-details.js';
import { AUTH_CHALLENGE, authenticate, credentialFromHeaders, type Authentication } from './authenticate.js';
import { requestNamespace } from './current-actor.js';
import { decide, httpOperation, isPublic } from './policy.js';
import { charge, ipTracker, principalTracker, type RateLimiting } from './rate-limit.js';
import { setRequestIdentity } from './request-identity.js';

/** Every route Fastify registered, as `<METHOD> <pattern>` (read by the policy coverage test). */
const routesOf = new WeakMap<FastifyInstance, Set<string>>();

export function registeredRoutes(fastify: FastifyInstance): readonly string[] {
  return [...(routesOf.get(fastify) ?? [])].sort();
}

/**
 * Authentication, rate limits and the policy table for every HTTP route, in one `onRequest`
 * hook so that it runs before any body is parsed and before Apollo builds a GraphQL context
 * (which reads the identity attached here through `actorOf`). GraphQL root fields are decided
 * again, one by one, by `PolicyGuard`. Upgrades (`/ws`, graphql-ws) are authenticated by their
 * servers. Install before any route is registered.
 *
 * Rate limits are counted here rather than by `@nestjs/throttler`'s guard, on its storage
 * contract: a guard runs after this hook, so refused credentials (the guessing a per-IP budget
 * exists to slow down) would never be counted, and it would count a GraphQL document once per
 * root field and answer 200 with an error instead of 429 (docs/security.md#rate-limits).
 */
export function installHttpAuthentication(
  fastify: FastifyInstance,
  auth: Authentication,
  limits: RateLimiting | null = null,
): void {
  const routes = new Set<string>();
  routesOf.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routes.add(httpOperation(method, route.url));
  });
  const metricsToken = auth.metricsToken ?? null;
  if (!auth.enabled && limits?.budget == null && metricsToken === null) return;
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const pattern = request.routeOptions.url;
    const operation = pattern === undefined ? null : httpOperation(request.method, pattern);
    if (operation === METRICS_OPERATION && metricsToken !== null) {
      if (presentsToken(request, metricsToken)) return;
      // With auth on, an operator's own credential scrapes too (the policy table's entry).
      if (!auth.enabled)
        return refuse(reply, 401, 'GET /metrics needs the SAGAFLOW_METRICS_TOKEN bearer token');
    }
    if (operation !== null && isPublic(operation)) return;
    if (!auth.enabled) {
      // Everyone is the local admin: the only tracker there is, is the client's address.
      if (limits) await charge(limits, request, reply, ipTracker(request), limits.budget);
      return;
    }
    let namespace: string;
    try {
      namespace = requestNamespace(request);
    } catch (error) {
      if (!(error instanceof DomainValidationError)) throw error;
      return reply
        .code(400)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problemOf('validation', 'invalid fields: header Sagaflow-Namespace', error.issues));
    }
    const outcome = await authenticate(auth.verifier, credentialFromHeaders(request.headers), namespace);
    if (!outcome.ok) {
      if (limits && !(await charge(limits, request, reply, ipTracker(request), limits.budget))) return reply;
      return refuse(reply, outcome.status, outcome.detail);
    }
    const budget = outcome.identity.rateLimit ?? limits?.budget ?? null;
    const tracker = principalTracker(outcome.identity.actor.principal);
    if (limits && !(await charge(limits, request, reply, tracker, budget))) return reply;
    setRequestIdentity(request, outcome.identity);
    setRequestIdentity(request.raw, outcome.identity);
    // An unknown route answers 404 to an authenticated caller.
    if (operation === null) return;
    const decision = decide(operation, outcome.identity.actor.roles);
    if (!decision.allowed) return refuse(reply, 403, decision.reason);
  });
}

const METRICS_OPERATION = 'GET /metrics';

/** `Authorization: Bearer <token>`, compared in constant time (by digest, so lengths may differ). */
function presentsToken(request: FastifyRequest, token: string): boolean {
  const credential = credentialFromHeaders(request.headers);
  if (credential === null || credential === 'malformed' || credential.kind !== 'bearer') return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(credential.token), digest(token));
}

function refuse(reply: FastifyReply, status: 401 | 403, detail: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', AUTH_CHALLENGE);
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemOf(status === 401 ? 'unauthenticated' : 'forbidden', detail));
}
