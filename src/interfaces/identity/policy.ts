import { ACTOR_ROLES, type ActorRole } from '../../application/actor.js';

/**
 * The one policy table (docs/security.md#authentication-and-roles): every operation of every transport, and the lowest
 * role that may call it. `public` needs no credential. An operation missing here is denied,
 * and a test built from the registered routes, the GraphQL schema and the `/ws` frame types
 * fails when one is missing (test/e2e/auth/policy-coverage.test.ts).
 *
 * Operation ids: `<METHOD> <fastify route pattern>` for HTTP, `<Type>.<field>` for GraphQL
 * root fields, `ws:<frame type>` for `/ws` client frames.
 *
 * The contract documents (`/docs/json`, `/asyncapi.json`) are data, so viewer: with auth on
 * only `/health/*` and the `/docs` page answer without a credential.
 */
export type Requirement = 'public' | ActorRole;

export const POLICY: Readonly<Record<string, Requirement>> = Object.freeze({
  // Probes: public. The scrape: an operator, or SAGAFLOW_METRICS_TOKEN when set
  // (src/interfaces/identity/http-authentication.ts); with auth off and no token, open.
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': 'operator',
  // The Swagger UI page and its assets; the document it loads is viewer.
  'GET /docs': 'public',
  'GET /docs/': 'public',
  'GET /docs/*': 'public',
  'GET /docs/LICENSE': 'public',
  'GET /docs/index.html': 'public',
  'GET /docs/swagger-ui-init.js': 'public',
  'GET /docs/docs/swagger-ui-init.js': 'public',
  'GET /docs/json': 'viewer',
  'GET /docs-json': 'viewer',
  'GET /docs-yaml': 'viewer',
  'GET /asyncapi.json': 'viewer',
  // Definitions.
  'POST /v1/definitions': 'admin',
  'POST /v1/definitions/validate': 'viewer',
  'GET /v1/definitions': 'viewer',
  'GET /v1/definitions/:name': 'viewer',
  'GET /v1/definitions/:name/versions/:version': 'viewer',
  // Runs.
  'POST /v1/runs': 'operator',
  'GET /v1/runs': 'viewer',
  'GET /v1/runs/:id': 'viewer',
  'GET /v1/runs/:id/events': 'viewer',
  'POST /v1/runs/:id/cancel': 'operator',
  'POST /v1/runs/:id/retry': 'operator',
  // API keys: an admin of a namespace manages its keys.
  'POST /v1/api-keys': 'admin',
  'GET /v1/api-keys': 'admin',
  'DELETE /v1/api-keys/:id': 'admin',
  // Dead letters: bodies may hold task inputs, so operators list, show and replay; admins delete.
  'GET /v1/dead-letters': 'operator',
  'GET /v1/dead-letters/:id': 'operator',
  'POST /v1/dead-letters/:id/replay': 'operator',
  'DELETE /v1/dead-letters/:id': 'admin',
  // GraphQL over HTTP (and GraphiQL on GET): each root field is decided below.
  'GET /graphql': 'viewer',
  // CORS preflight carries no credential and runs no operation.
  'OPTIONS /graphql': 'public',
  'POST /graphql': 'viewer',
  'Query.run': 'viewer',
  'Query.runs': 'viewer',
  'Query.runEvents': 'viewer',
  'Query.definition': 'viewer',
  'Query.definitions': 'viewer',
  'Mutation.registerDefinition': 'admin',
  'Mutation.startRun': 'operator',
  'Mutation.cancelRun': 'operator',
  'Mutation.retryRun': 'operator',
  'Query.deadLetters': 'operator',
  'Query.deadLetter': 'operator',
  'Mutation.replayDeadLetter': 'operator',
  'Mutation.deleteDeadLetter': 'admin',
  'Subscription.runEvents': 'viewer',
  'Subscription.runUpdated': 'viewer',
  // /ws frames.
  'ws:subscribe': 'viewer',
  'ws:unsubscribe': 'viewer',
});

/** An HTTP operation id; HEAD is answered by its GET route. */
export function httpOperation(method: string, routePattern: string): string {
  const verb = method.toUpperCase();
  return `${verb === 'HEAD' ? 'GET' : verb} ${routePattern}`;
}

export function requirementOf(operation: string): Requirement | undefined {
  return Object.hasOwn(POLICY, operation) ? POLICY[operation] : undefined;
}

export function isPublic(operation: string): boolean {
  return requirementOf(operation) === 'public';
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

const rank = (role: ActorRole) => ACTOR_ROLES.indexOf(role);

/**
 * Whether `roles` may run `operation`. `worker` ranks below `viewer`, so it reaches nothing
 * public; an operation missing from the table is denied (secure by default).
 */
export function decide(operation: string, roles: readonly ActorRole[]): Decision {
  const needed = requirementOf(operation);
  if (needed === undefined) return { allowed: false, reason: `${operation} is not open to any role` };
  if (needed === 'public') return { allowed: true };
  const best = Math.max(-1, ...roles.map(rank));
  if (best >= rank(needed) && best > rank('worker')) return { allowed: true };
  return { allowed: false, reason: `${operation} needs the ${needed} role` };
}
