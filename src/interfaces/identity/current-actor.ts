import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { localAdmin, parseNamespace, type Actor } from '../../application/actor.js';
import { requestIdentity } from './request-identity.js';

interface RequestWithHeaders {
  headers?: Record<string, string | string[] | undefined>;
}

/** The namespace an HTTP request (REST, GraphQL over HTTP, an upgrade) names in its header. */
export function requestNamespace(request: unknown): string {
  const header = (request as RequestWithHeaders | undefined)?.headers?.['sagaflow-namespace'];
  return parseNamespace(Array.isArray(header) ? header[0] : header, 'header Sagaflow-Namespace');
}

/**
 * The actor behind one HTTP request, GraphQL operation or WebSocket connection, from the
 * request that opened it. Every transport asks here, so identity is resolved one way
 * everywhere: the identity the auth guard attached to the request, or — with auth off — the
 * local admin of the namespace the request names (docs/architecture.md#actors).
 */
export function actorOf(request: unknown): Actor {
  return requestIdentity(request)?.actor ?? localAdmin(requestNamespace(request));
}

/**
 * Handler parameter `@CurrentActor() actor: Actor`. In GraphQL resolvers the actor was put on
 * the operation's context (built per request or subscription); elsewhere it comes from the request.
 */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  if (context.getType<string>() === 'graphql') return context.getArgByIndex<{ actor: Actor }>(2).actor;
  return actorOf(context.switchToHttp().getRequest());
});
