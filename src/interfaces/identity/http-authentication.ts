import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainValidationError } from '../../domain/shared/domain-error.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from '../http/problem/problem-details.js';
import { AUTH_CHALLENGE, authenticate, credentialFromHeaders, type Authentication } from './authenticate.js';
import { requestNamespace } from './current-actor.js';
import { decide, httpOperation, isPublic } from './policy.js';
import { setRequestIdentity } from './request-identity.js';

/** Every route Fastify registered, as `<METHOD> <pattern>` (read by the policy coverage test). */
const routesOf = new WeakMap<FastifyInstance, Set<string>>();

export function registeredRoutes(fastify: FastifyInstance): readonly string[] {
  return [...(routesOf.get(fastify) ?? [])].sort();
}

/**
 * Authentication and the policy table for every HTTP route, in one `onRequest` hook so that it
 * runs before any body is parsed and before Apollo builds a GraphQL context (which reads the
 * identity attached here through `actorOf`). GraphQL root fields are decided again, one by
 * one, by `PolicyGuard`. Upgrades (`/ws`, graphql-ws) are authenticated by their servers.
 * Install before any route is registered.
 */
export function installHttpAuthentication(fastify: FastifyInstance, auth: Authentication): void {
  const routes = new Set<string>();
  routesOf.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routes.add(httpOperation(method, route.url));
  });
  if (!auth.enabled) return;
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const pattern = request.routeOptions.url;
    const operation = pattern === undefined ? null : httpOperation(request.method, pattern);
    if (operation !== null && isPublic(operation)) return;
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
    if (!outcome.ok) return refuse(reply, outcome.status, outcome.detail);
    setRequestIdentity(request, outcome.identity);
    setRequestIdentity(request.raw, outcome.identity);
    // An unknown route answers 404 to an authenticated caller.
    if (operation === null) return;
    const decision = decide(operation, outcome.identity.actor.roles);
    if (!decision.allowed) return refuse(reply, 403, decision.reason);
  });
}

function refuse(reply: FastifyReply, status: 401 | 403, detail: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', AUTH_CHALLENGE);
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problemOf(status === 401 ? 'unauthenticated' : 'forbidden', detail));
}
