import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import {
  BrokerUnavailableError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
} from '../../../application/errors.js';
import { DomainValidationError, InvalidStateError } from '../../../domain/shared/domain-error.js';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { httpProblem, problemOf, type ProblemDetails } from './problem-details.js';

export const BODY_LIMIT_BYTES = 1_048_576;

/** How an error is answered: the problem, and whether it is our fault (logged with its stack). */
export interface MappedProblem {
  problem: ProblemDetails;
  serverFault: boolean;
}

/**
 * Fastify rejects some requests before any handler runs; Nest hands those to the exception
 * layer as an `HttpException` whose `cause` is the `FastifyError`. Their messages name
 * Fastify internals, so they get contract-worded details instead.
 */
const FASTIFY_PROBLEMS: Record<string, () => ProblemDetails> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => problemOf('malformedBody', 'the request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => problemOf('malformedBody', 'the request body is empty'),
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    httpProblem(413, 'Content Too Large', `the request body exceeds ${BODY_LIMIT_BYTES} bytes`),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    httpProblem(415, 'Unsupported Media Type', 'the request body must be application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    httpProblem(400, 'Bad Request', 'the request body does not match its Content-Length'),
};

export function mapToProblem(error: unknown): MappedProblem {
  const clientFault = (problem: ProblemDetails) => ({ problem, serverFault: false });
  if (error instanceof DomainValidationError) {
    const paths = error.issues.map((i) => i.path).join(', ');
    return clientFault(problemOf('validation', `invalid fields: ${paths}`, error.issues));
  }
  if (error instanceof NotFoundError) return clientFault(problemOf('notFound', error.message));
  if (error instanceof ConflictError) return clientFault(problemOf('conflict', error.message));
  if (error instanceof ForbiddenError) return clientFault(problemOf('forbidden', error.message));
  if (error instanceof PayloadTooLargeError) {
    return clientFault(httpProblem(413, 'Content Too Large', error.message));
  }
  if (error instanceof InvalidStateError) return clientFault(problemOf('invalidState', error.message));
  // Shedding load is the system working as designed, not a fault to log with a stack.
  if (error instanceof OverloadedError) return clientFault(problemOf('overloaded', error.message));
  if (error instanceof BrokerUnavailableError) {
    return { problem: problemOf('brokerUnavailable', error.message), serverFault: true };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      problem: problemOf('databaseUnavailable', 'PostgreSQL is unreachable; try again later'),
      serverFault: true,
    };
  }
  if (error instanceof HttpException) return fromHttpException(error);
  return {
    problem: httpProblem(500, 'Internal Server Error', 'an unexpected error occurred'),
    serverFault: true,
  };
}

function fromHttpException(error: HttpException): MappedProblem {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  const known = typeof code === 'string' ? FASTIFY_PROBLEMS[code] : undefined;
  if (known) return { problem: known(), serverFault: false };
  const status = error.getStatus();
  const title = STATUS_CODES[status] ?? 'Error';
  // A 5xx HttpException's message may be internal; a 4xx one is meant for the client.
  const detail = status >= 500 ? title : error.message;
  return { problem: httpProblem(status, title, detail), serverFault: status >= 500 };
}
