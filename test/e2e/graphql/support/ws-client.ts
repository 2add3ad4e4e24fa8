import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphqlError } from './graphql-app.js';

/** A graphql-ws client of the app's `/graphql`, over the `ws` package, that never reconnects. */
export function graphqlWsClient(httpUrl: string): { client: Client; closes: { code: number }[] } {
  const closes: { code: number }[] = [];
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // The close is recorded below; by default it would also be logged as an error.
    onNonLazyError: () => undefined,
    on: { closed: (event) => closes.push({ code: (event as { code: number }).code }) },
  });
  return { client, closes };
}

/** One operation's results as they arrive, for polling with `eventually`. */
export interface Subscribed<T> {
  values: T[];
  errors: GraphqlError[];
  completed: boolean;
  unsubscribe(): void;
}

export function subscribe<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Subscribed<T> {
  const subscribed: Subscribed<T> = {
    values: [],
    errors: [],
    completed: false,
    unsubscribe: () => undefined,
  };
  subscribed.unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result: FormattedExecutionResult<T>) => {
        if (result.errors) subscribed.errors.push(...(result.errors as GraphqlError[]));
        if (result.data) subscribed.values.push(result.data);
      },
      error: (error) => {
        subscribed.errors.push(
          ...(Array.isArray(error) ? (error as GraphqlError[]) : [{ message: String(error) }]),
        );
        subscribed.completed = true;
      },
      complete: () => {
        subscribed.completed = true;
      },
    },
  );
  return subscribed;
}
