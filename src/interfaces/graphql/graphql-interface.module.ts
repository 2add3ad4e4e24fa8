import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { QueryBus } from '@nestjs/cqrs';
import { GraphQLModule } from '@nestjs/graphql';
import { GetRunsByIdsHandler } from '../../application/queries/get-runs-by-ids.js';
import { formatGraphqlError } from './errors/format-error.js';
import { createGraphqlContext } from './graphql-context.js';
import { costLimitPlugin } from './limits/cost-limit.plugin.js';
import { LIMIT_VALIDATION_RULES, OPERATION_LIMITS } from './limits/operation-limits.js';
import { DefinitionResolver } from './resolvers/definition.resolver.js';
import { RunFieldsResolver } from './resolvers/run-fields.resolver.js';
import { RunMutationsResolver } from './resolvers/run-mutations.resolver.js';
import { DeadLettersResolver } from './resolvers/dead-letters.resolver.js';
import { RunQueriesResolver } from './resolvers/run-queries.resolver.js';
import { RunSubscriptionsResolver } from './resolvers/run-subscriptions.resolver.js';
import { GRAPHQL_PATH, GraphqlWsServer } from './subscriptions/graphql-ws.server.js';
import { refuseHttpSubscriptions } from './subscriptions/refuse-http-subscriptions.plugin.js';
import { actorOf } from '../identity/current-actor.js';
import { PolicyGuard } from '../identity/policy.guard.js';
import { GRAPHQL_OPTIONS, modeRules, type GraphqlOptions } from './graphql-options.js';

/**
 * GraphQL at `/graphql` on the api role's Fastify port (docs/contract.md#live-progress), code first.
 *
 * Apollo rather than Mercurius: Mercurius' subscriptions ride on `@fastify/websocket`, which
 * takes every upgrade on the server, so `/ws` and `/graphql` could not share the port
 * (docs/architecture.md#toolchain-facts). With Apollo, HTTP operations go through Apollo's Fastify route and
 * subscriptions through our own graphql-ws server, reached via `UpgradeRoutes`; the driver's
 * built-in subscription server stays off.
 *
 * Resolvers only send commands and queries over the buses, like the REST controllers; the
 * `GetRunsByIdsQuery` handler lives here because its only client is the run loader.
 */
@Module({})
export class GraphqlInterfaceModule {
  static forRoot(options: GraphqlOptions): DynamicModule {
    return {
      module: GraphqlInterfaceModule,
      imports: [
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [QueryBus],
          useFactory: (queries: QueryBus): Omit<ApolloDriverConfig, 'driver'> => ({
            path: GRAPHQL_PATH,
            // Apollo's stop drains by closing Fastify itself. Stopped at module destroy (the
            // default), that close would wait for the upgraded sockets the WebSocket adapter
            // only destroys later, and shutdown would hang; stopped last, Nest has closed the
            // server in its own order already.
            stopOnApplicationShutdown: true,
            autoSchemaFile: true,
            introspection: !options.production,
            graphiql: !options.production,
            hideSchemaDetailsFromClientErrors: options.production,
            includeStacktraceInErrorResponses: false,
            parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
            validationRules: [...LIMIT_VALIDATION_RULES, ...modeRules(options)],
            plugins: [refuseHttpSubscriptions(), costLimitPlugin()],
            formatError: formatGraphqlError,
            // @as-integrations/fastify calls it as (request, reply): the Fastify request itself,
            // on which the auth hook attached the identity.
            context: (request: unknown) => createGraphqlContext(queries, actorOf(request), { cache: true }),
          }),
        }),
      ],
      providers: [
        GetRunsByIdsHandler,
        RunQueriesResolver,
        RunFieldsResolver,
        DefinitionResolver,
        RunMutationsResolver,
        DeadLettersResolver,
        RunSubscriptionsResolver,
        GraphqlWsServer,
        { provide: APP_GUARD, useClass: PolicyGuard },
        { provide: GRAPHQL_OPTIONS, useValue: options },
      ],
    };
  }
}
