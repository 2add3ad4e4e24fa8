import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
      genReqId: assignRequestId,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'request_id', responseTime: 'response_time_ms' },
      customLogLevel: requestLogLevel,
    },
  };
}

/** The caller's `x-request-id` if usable, else a new one; echoed in the response either way. */
export function assignRequestId(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && USABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

export function requestLogLevel(
  request: IncomingMessage,
  response: ServerResponse,
  error?: Error,
): LevelWithSilent {
  // Nest's middleware may rewrite `url`; `originalUrl` is what the client asked for.
  const path = (request as { originalUrl?: string }).originalUrl ?? request.url ?? '';
  if (PROBE_PATHS.test(path)) return 'debug';
  return error !== undefined || response.statusCode >= 500 ? 'error' : 'info';
}
