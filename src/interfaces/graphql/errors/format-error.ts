import { Logger } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { mapToProblem } from '../../http/problem/problem-mapper.js';

/**
 * `extensions.code` by the HTTP status REST answers the same error with: one mapping of
 * application and domain errors (`mapToProblem`), two transports.
 */
const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'UNPROCESSABLE',
  503: 'SERVICE_UNAVAILABLE',
};

const logger = new Logger('graphql');

/**
 * graphql-js quotes the offending value in its own messages (`Variable "$x" got invalid value
 * …`); past this many characters the message is cut, so a huge value is never sent back whole.
 */
const MAX_MESSAGE_CHARS = 500;

function capped(message: string): string {
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}

/**
 * Shapes every error a client sees, over HTTP (Apollo's `formatError`) and graphql-ws.
 * GraphQL's own errors (syntax, validation, limits, variable coercion) keep their message
 * and code; errors thrown by resolvers are mapped like REST maps them, with the JSON paths
 * of validation errors in `extensions.errors`. Never a stack trace: extensions are rebuilt.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const cause = rootCause(error);
  const location = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (cause instanceof GraphQLError) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return {
      message: capped(formatted.message),
      ...location,
      extensions: { ...extensions, code: extensions.code ?? 'INTERNAL_SERVER_ERROR' },
    };
  }
  const { problem, serverFault } = mapToProblem(cause);
  if (serverFault) {
    const text = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    if (problem.status === 503) logger.warn(`database unavailable: ${text}`);
    else logger.error(text);
  }
  const code = CODES[problem.status] ?? (problem.status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR');
  return {
    message: problem.detail,
    ...location,
    extensions: { code, ...(problem.errors ? { errors: problem.errors } : {}) },
  };
}

/** Formats the errors of a result sent over graphql-ws, which has no `formatError` of its own. */
export function formatGraphqlErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => formatGraphqlError(error.toJSON(), error));
}

/** The error a resolver threw, under the GraphQLErrors that locate it. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}
