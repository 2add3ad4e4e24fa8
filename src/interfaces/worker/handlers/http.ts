import {
  NonRetryableError,
  RetryableError,
  TaskTimeoutError,
  isErrorLike,
  isTaskFailureError,
} from '../../../domain/errors/task-errors.js';
import type { Json } from '../../../domain/run/run-snapshot.js';
import { fetch, type Agent, type Response } from 'undici';

import { HttpAllowList } from './http-allow-list.js';
import { DEFAULT_BREAKER_SETTINGS, HostBreakers, type BreakerSettings } from './http-breakers.js';
import { createGuardedAgent, type HostResolver } from './http-dispatcher.js';
import { parseHttpInput, type HttpRequestSpec } from './http-request.js';
import {
  isRetryableStatus,
  readBody,
  statusFailure,
  toOutput,
  type HttpOutput,
  type ResponseBody,
} from './http-response.js';
import type { TaskContext, TaskHandler } from './task-handler.js';

export type { HttpOutput } from './http-response.js';

export interface HttpHandlerOptions {
  /**
   * Raw `SAGAFLOW_HTTP_ALLOW` (see {@link HttpAllowList}): what may be called besides public
   * unicast addresses; empty or absent allows public addresses only, `*` anything.
   */
  allow?: string;
  breaker?: Partial<BreakerSettings>;
  /** Name resolution at connect time (checked against the allow-list); defaults to `dns.lookup`. */
  resolve?: HostResolver;
  /** Largest response body kept (default 1 MiB); a larger 2xx body fails the task non-retryably. */
  maxResponseBytes?: number;
}

export interface HttpHandler {
  handle: TaskHandler<Json, HttpOutput>;
  /** Shuts the circuit breakers down; later calls fail retryably. */
  close(): void;
  /** How many per-host breakers are open (or half-open) now. */
  openBreakers(): number;
  /** Calls `listener` each time a host's breaker opens. */
  onBreakerOpen(listener: () => void): void;
}

const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** docs/contract.md: redirects are followed, each hop checked again, at most this many. */
export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A non-2xx, non-retryable response comes back through the breaker as a success. */
interface Exchange {
  response: Response;
  body: ResponseBody;
}

/**
 * the contract's (docs/contract.md#workflow-definitions) `http` task type: 2xx completes; 408, 429, 5xx, network errors and timeouts
 * are retryable (429/503 with `Retry-After` say when); other statuses fail at once.
 * Every connection goes through one guarded dispatcher (http-dispatcher.ts), which denies
 * non-public addresses unless `SAGAFLOW_HTTP_ALLOW` lists them; redirects are followed by
 * hand (at most {@link MAX_REDIRECTS}) through the same dispatcher, so each hop is checked.
 */
export function createHttpHandler(options: HttpHandlerOptions = {}): HttpHandler {
  const allowList = HttpAllowList.parse(options.allow);
  const dispatcher = createGuardedAgent(allowList, options.resolve);
  const breakers = new HostBreakers<Exchange>({ ...DEFAULT_BREAKER_SETTINGS, ...options.breaker });
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  const handle = async (input: Json, ctx: TaskContext): Promise<HttpOutput> => {
    const spec = parseHttpInput(input);
    const hostKey = `${spec.target.hostname}:${spec.target.port}`;
    const { response, body } = await breakers.run(hostKey, () => exchange(spec, ctx, maxBytes, dispatcher));
    if (response.status < 200 || response.status > 299) throw statusFailure(response, describe(spec), body);
    if (body.truncated) {
      throw new NonRetryableError(`response of ${describe(spec)} is larger than ${maxBytes} bytes`);
    }
    return toOutput(response, body.text);
  };

  const close = (): void => {
    breakers.close();
    dispatcher.close().catch(() => undefined); // in-flight requests end with their own failure
  };
  return {
    handle,
    close,
    openBreakers: () => breakers.openCount(),
    onBreakerOpen: (listener) => breakers.onOpen(listener),
  };
}

/** One request and its body; throws only for outcomes another attempt could change. */
async function exchange(
  spec: HttpRequestSpec,
  ctx: TaskContext,
  maxBytes: number,
  dispatcher: Agent,
): Promise<Exchange> {
  const ownTimeout = spec.timeoutMs === undefined ? undefined : AbortSignal.timeout(spec.timeoutMs);
  const signal = ownTimeout === undefined ? ctx.signal : AbortSignal.any([ctx.signal, ownTimeout]);
  const headers = new Headers(spec.headers);
  headers.set('idempotency-key', ctx.idempotencyKey);
  try {
    const response = await followRedirects(spec, headers, signal, dispatcher);
    const body = await readBody(response, maxBytes);
    if (isRetryableStatus(response.status)) throw statusFailure(response, describe(spec), body);
    return { response, body };
  } catch (err) {
    throw transportFailure(err, spec, ctx, ownTimeout);
  }
}

/**
 * fetch with `redirect: 'manual'`, following 301/302/303/307/308 by hand like a browser
 * would (303, and 301/302 after a POST, turn into a body-less GET; credentials are dropped
 * on a change of origin), so every hop connects through the guarded dispatcher.
 */
async function followRedirects(
  spec: HttpRequestSpec,
  headers: Headers,
  signal: AbortSignal,
  dispatcher: Agent,
): Promise<Response> {
  let url = spec.url;
  let method = spec.method;
  let body = spec.body;
  for (let hop = 0; ; hop++) {
    const response = await fetch(url, {
      method,
      headers: [...headers],
      body,
      signal,
      redirect: 'manual',
      dispatcher,
    });
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    if (hop === MAX_REDIRECTS) {
      throw new NonRetryableError(`${describe(spec)} redirected more than ${MAX_REDIRECTS} times`);
    }
    const next = redirectTarget(location, url, spec);
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === 'POST')
    ) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers.delete('content-type');
    }
    if (next.origin !== url.origin) {
      headers.delete('authorization');
      headers.delete('cookie');
    }
    url = next;
  }
}

function redirectTarget(location: string, from: URL, spec: HttpRequestSpec): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new NonRetryableError(`${describe(spec)} redirected to an unreadable Location`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new NonRetryableError(`${describe(spec)} redirected to a ${next.protocol} URL`);
  }
  if (next.username !== '' || next.password !== '') {
    throw new NonRetryableError(`${describe(spec)} redirected to a URL with credentials`);
  }
  return next;
}

function transportFailure(
  err: unknown,
  spec: HttpRequestSpec,
  ctx: TaskContext,
  ownTimeout: AbortSignal | undefined,
): Error {
  if (isTaskFailureError(err)) return err;
  const denied = deniedCause(err);
  if (denied !== undefined)
    return new NonRetryableError(`${describe(spec)} failed: ${denied.message}`, { cause: denied });
  if (ctx.signal.aborted) {
    const reason: unknown = ctx.signal.reason;
    return isTaskFailureError(reason) ? reason : new RetryableError(`${describe(spec)} was aborted`);
  }
  if (ownTimeout?.aborted === true && spec.timeoutMs !== undefined) {
    return new TaskTimeoutError(spec.timeoutMs, `${describe(spec)} timed out after ${spec.timeoutMs} ms`);
  }
  return new RetryableError(`${describe(spec)} failed: ${networkReason(err)}`, { cause: err });
}

/**
 * The dispatcher's denial travels as fetch's `TypeError: fetch failed` with the
 * `NonRetryableError` as its `cause`.
 */
function deniedCause(err: unknown): Error | undefined {
  const cause: unknown = isErrorLike(err) ? err.cause : undefined;
  return isTaskFailureError(cause) ? cause : undefined;
}

/** fetch reports `TypeError: fetch failed` and hides the useful part (ECONNREFUSED) in `cause`. */
function networkReason(err: unknown): string {
  const cause: unknown = isErrorLike(err) ? err.cause : undefined;
  if (isErrorLike(cause)) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return isErrorLike(err) ? err.message : String(err);
}

/** Method and URL without the query string, which may carry credentials. */
function describe(spec: HttpRequestSpec): string {
  return `${spec.method} ${spec.url.origin}${spec.url.pathname}`;
}
