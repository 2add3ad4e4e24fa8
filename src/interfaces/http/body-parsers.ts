import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest, RawServerDefault } from 'fastify';
import { errorCodes } from 'fastify';
import { BODY_LIMIT_BYTES } from './problem/problem-mapper.js';

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Makes `application/json` the only body the API accepts (docs/contract.md#rest-api: anything else is 415).
 * Fastify ships a `text/plain` parser and Nest adds a form parser at init unless one is
 * registered already, so the first is removed and the second replaced by a refusal.
 * Must run before `init()`/`listen()`.
 */
export function installBodyParsers(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>(
    'application/json',
    { bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => parseJsonOrNothing(parseJson, request, body, done),
  );
  app.useBodyParser(
    'application/x-www-form-urlencoded',
    { bodyLimit: BODY_LIMIT_BYTES },
    (_request, _body, done) => (done as Done)(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE()),
  );
}

/**
 * Fastify's JSON parser (with its prototype-poisoning guard), except that an empty body is
 * "no body" rather than an error, since cancel and retry take an optional body and clients
 * send `content-type: application/json` with nothing after it. Routes that need a body see
 * `undefined` and answer 400 naming `$`.
 */
function parseJsonOrNothing(
  parseJson: (request: FastifyRequest, body: string, done: Done) => unknown,
  request: FastifyRequest,
  body: string | Buffer,
  done: Done,
): void {
  if (body.length === 0) {
    done(null, undefined);
    return;
  }
  // Fastify's default parser is synchronous and completes through `done`.
  void parseJson(request, body.toString('utf8'), done);
}
