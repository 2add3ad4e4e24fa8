import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Level, LevelWithSilent, Logger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A caller's id is kept only if it is 1–128 of `[A-Za-z0-9._:-]`; anything else is replaced
 * by a fresh UUID. The id is echoed in a header and written to every log line, so quotes,
 * slashes, braces and the like (log or header injection material) are not let through.
 */
const USABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes come every few seconds and say nothing: their lines are debug. */
const PROBE_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * The request log: one line per request when its response is sent, carrying `request_id`,
 * `req` (method, path as asked, headers — credentials redacted by the logger), `res` and
 * `response_time_ms` (and `trace_id` when traced). A Fastify `onResponse` hook rather than
 * pino-http behind Nest middleware: that route (nestjs-pino's `forRoutes` through
 * @fastify/middie) cost two thirds of a cached `GET /v1/runs/{id}`'s throughput even with the
 * line filtered out by level; this costs one level check when the line is not wanted.
 */
export function installRequestLog(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = requestLogLevel(request.raw, reply.raw);
    if (logger.isLevelEnabled(level)) {
      logger[level as Level](
        {
          request_id: request.id,
          req: { method: request.method, url: request.url, headers: request.headers },
          res: { statusCode: reply.statusCode },
          response_time_ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}

/** Fastify's `genReqId`: the caller's `x-request-id` if usable, else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && USABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Every response tells the caller its request id, the key to its lines in the log. */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}

export function requestLogLevel(
  request: IncomingMessage,
  response: ServerResponse,
  error?: Error,
): LevelWithSilent {
  // Middleware may rewrite `url`; `originalUrl` is what the client asked for.
  const path = (request as { originalUrl?: string }).originalUrl ?? request.url ?? '';
  if (PROBE_PATHS.test(path)) return 'debug';
  if (error !== undefined) return 'error';
  // 503 is "come back later" (overload, PostgreSQL or RabbitMQ down): the cause is logged once
  // where it is found, and a shed start per line at error would be noise in an overload.
  if (response.statusCode === 503) return 'warn';
  if (response.statusCode >= 500) return 'error';
  // Successful reads are the watchers' polling: thousands a second, each saying nothing new.
  return (request.method === 'GET' || request.method === 'HEAD') && response.statusCode < 400
    ? 'debug'
    : 'info';
}
