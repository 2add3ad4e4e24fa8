import type { ApolloServerPlugin } from '@apollo/server';
import { costLimitError } from './operation-limits.js';

/**
 * Applies the cost limit to HTTP operations once Apollo has parsed and validated them and
 * before it executes anything (`didResolveOperation`; an error thrown there is the response).
 */
export function costLimitPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          const error = costLimitError(schema, document, request.variables, operationName);
          if (error) throw error;
        },
      };
    },
  };
}
