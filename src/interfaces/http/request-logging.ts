import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Params } from 'nestjs-pino';
import type { LevelWithSilent, Logger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's id is kept if it is printable ASCII of sane length; anything else is replaced. */
const USABLE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
/** Probes and scrapes come every few seconds and say nothing: their lines are debug. */
const PROBE_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * The request log (pino-http through nestjs-pino): one line per request when it ends, carrying
 * `request_id`, `req`, `res` and `response_time_ms` (and `trace_id` when traced). Lines written
 * while a request is handled carry its `request_id` only.
 */
export function requestLogging(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      // Fastify's id (see requestIdOf) normally: @fastify/middie copies it to the raw request.
      genReqId: requestIdOf,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'request_id', responseTime: 'response_time_ms' },
      customLogLevel: requestLogLevel,
    },
    // nestjs-pino's default route, `{/*splat}` (no leading slash, on purpose), is turned into
    // `/{/*splat}` by @fastify/middie 9.3, which then matches no request at all.
    forRoutes: [{ path: '/{*path}', method: RequestMethod.ALL }],
  };
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
  return error !== undefined || response.statusCode >= 500 ? 'error' : 'info';
}
