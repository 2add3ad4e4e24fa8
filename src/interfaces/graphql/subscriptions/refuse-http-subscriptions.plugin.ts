import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, OperationTypeNode } from 'graphql';

/**
 * Subscriptions are served over graphql-ws only. Apollo would otherwise run one over HTTP
 * as if it were a query, calling the field's `resolve` without an event.
 */
export function refuseHttpSubscriptions(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== OperationTypeNode.SUBSCRIPTION) return;
          throw new GraphQLError(
            'subscriptions are served over WebSocket (graphql-ws, subprotocol graphql-transport-ws) at /graphql',
            { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
          );
        },
      };
    },
  };
}
