import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OverloadedError } from '../../../application/errors.js';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';
import { mapToProblem } from './problem-mapper.js';

/** Seconds a client should wait before retrying when the database or the broker is down. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Answers every HTTP error as `application/problem+json` (docs/contract.md#rest-api): errors thrown by
 * handlers, and, because it is global, the ones Nest routes here from Fastify's error and
 * not-found handlers (bad JSON, 413, 415, unknown routes).
 */
@Catch()
export class ProblemExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    // Being global, this also sees GraphQL and WebSocket errors. Returning the exception is
    // what GraphQL expects of a filter; a WebSocket gateway must scope its own filter
    // (`@UseFilters`, which takes precedence over global ones) or its errors go unanswered.
    if (host.getType() !== 'http') return exception;
    const { problem, serverFault } = mapToProblem(exception);
    if (serverFault) this.log(problem.status, exception);
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent) return undefined;
    if (problem.status === 503) {
      const seconds =
        exception instanceof OverloadedError ? exception.retryAfterSeconds : RETRY_AFTER_SECONDS;
      void reply.header('retry-after', String(seconds));
    }
    void reply
      .status(problem.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem));
    return undefined;
  }

  private log(status: number, exception: unknown): void {
    const text = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
    if (status === 503) this.logger.warn(`database unavailable: ${text}`);
    else this.logger.error(text);
  }
}
