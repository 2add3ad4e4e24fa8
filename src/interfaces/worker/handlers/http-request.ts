import { NonRetryableError } from '../../../domain/errors/task-errors.js';
import type { Json } from '../../../domain/run/run-snapshot.js';
import { loggableUrl } from '../../../application/loggable-url.js';

export interface HttpTarget {
  /** Lower-case host name or IP literal, without IPv6 brackets or a trailing dot. */
  hostname: string;
  port: number;
}

/** A validated `http` task input, ready for `fetch`. */
export interface HttpRequestSpec {
  method: string;
  url: URL;
  target: HttpTarget;
  headers: Headers;
  body: string | undefined;
  timeoutMs: number | undefined;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const FIELDS = new Set(['method', 'url', 'headers', 'body', 'timeoutMs']);
/** setTimeout's ceiling; a larger delay would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export function isJsonMediaType(contentType: string | null): boolean {
  return contentType !== null && /^\s*application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType);
}

/**
 * Validates the contract's (docs/contract.md#workflow-definitions) `{ method, url, headers?, body?, timeoutMs? }`. Bad input can never
 * succeed on retry, so every problem is a `NonRetryableError` that names the field; so are
 * unknown fields, which are usually typos (`header`) that would otherwise be ignored.
 *
 * `body` is sent as JSON (with `content-type: application/json` unless a header sets one),
 * except a string body under an explicit non-JSON content type, which is sent as it is.
 */
export function parseHttpInput(input: Json): HttpRequestSpec {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid('http task input must be an object { method, url, headers?, body?, timeoutMs? }');
  }
  for (const field of Object.keys(input)) {
    if (!FIELDS.has(field)) throw invalid(`http task input has an unknown field "${field}"`);
  }
  const method = parseMethod(input.method);
  const url = parseUrl(input.url);
  const headers = parseHeaders(input.headers);
  const body = encodeBody(method, input.body, headers);
  return { method, url, target: targetOf(url), headers, body, timeoutMs: parseTimeout(input.timeoutMs) };
}

function parseMethod(value: Json | undefined): string {
  const method = typeof value === 'string' ? value.toUpperCase() : undefined;
  if (method === undefined || !METHODS.has(method)) {
    throw invalid(`http input.method must be one of ${[...METHODS].join(', ')}, got ${show(value)}`);
  }
  return method;
}

function parseUrl(value: Json | undefined): URL {
  if (typeof value !== 'string') throw invalid(`http input.url must be a string, got ${show(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The message is logged and stored: no query string, which may carry a token.
    throw invalid(`http input.url is not an absolute URL: ${show(loggableUrl(value))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`http input.url must use http or https, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    // fetch refuses such URLs with a TypeError that would look like a network failure.
    throw invalid('http input.url must not contain credentials; send an Authorization header');
  }
  return url;
}

function parseHeaders(value: Json | undefined): Headers {
  const headers = new Headers();
  if (value === undefined || value === null) return headers;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`http input.headers must be an object of strings, got ${show(value)}`);
  }
  for (const [name, headerValue] of Object.entries(value)) {
    if (typeof headerValue !== 'string') {
      throw invalid(`http input.headers.${name} must be a string, got ${show(headerValue)}`);
    }
    try {
      headers.append(name, headerValue);
    } catch {
      throw invalid(`http input.headers.${name} is not a valid header`);
    }
  }
  return headers;
}

function encodeBody(method: string, value: Json | undefined, headers: Headers): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (method === 'GET' || method === 'HEAD') {
    throw invalid(`http input.body is not allowed with ${method}`);
  }
  const contentType = headers.get('content-type');
  if (typeof value === 'string' && contentType !== null && !isJsonMediaType(contentType)) return value;
  if (contentType === null) headers.set('content-type', 'application/json');
  return JSON.stringify(value);
}

function parseTimeout(value: Json | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw invalid(`http input.timeoutMs must be a positive integer of milliseconds, got ${show(value)}`);
  }
  return value;
}

function targetOf(url: URL): HttpTarget {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { hostname, port };
}

function invalid(message: string): NonRetryableError {
  return new NonRetryableError(message);
}

function show(value: Json | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 100);
}
