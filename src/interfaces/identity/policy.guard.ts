import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Actor } from '../../application/actor.js';
import { decide } from './policy.js';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * The policy table for GraphQL root fields (`Query.run`, `Mutation.startRun`, …), global
 * (APP_GUARD). HTTP routes were decided by the `onRequest` hook already (which sees every
 * route, Nest's or not); here only the GraphQL context type has something left to decide.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType<string>() !== 'graphql') return true;
    const info = GqlExecutionContext.create(context).getInfo<GraphQLResolveInfo>();
    if (!ROOT_TYPES.has(info.parentType.name)) return true;
    const { actor } = context.getArgByIndex<{ actor: Actor }>(2);
    const decision = decide(`${info.parentType.name}.${info.fieldName}`, actor.roles);
    if (!decision.allowed) throw new ForbiddenException(decision.reason);
    return true;
  }
}
