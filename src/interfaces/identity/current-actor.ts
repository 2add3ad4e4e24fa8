import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { localAdmin, type Actor } from '../../application/actor.js';

/**
 * The actor behind one HTTP request, GraphQL operation or WebSocket connection, from the
 * request that opened it. Every transport asks here, so identity is resolved one way
 * everywhere; until identities exist it is always the local admin (docs/architecture.md#actors).
 */
export function actorOf(_request: unknown): Actor {
  return localAdmin();
}

/**
 * Handler parameter `@CurrentActor() actor: Actor`. In GraphQL resolvers the actor was put on
 * the operation's context (built per request or subscription); elsewhere it comes from the request.
 */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  if (context.getType<string>() === 'graphql') return context.getArgByIndex<{ actor: Actor }>(2).actor;
  return actorOf(context.switchToHttp().getRequest());
});
