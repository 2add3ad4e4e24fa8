import {
  NonRetryableError,
  RetryableError,
  TaskTimeoutError,
  isErrorLike,
  isTaskFailureError,
} from '../../../domain/errors/task-errors.js';
import type { Json } from '../../../domain/run/run-snapshot.js';
import { HttpAllowList, dnsResolver, type HostResolver } from './http-allow-list.js';
import { DEFAULT_BREAKER_SETTINGS, HostBreakers, type BreakerSettings } from './http-breakers.js';
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
  /** Raw `SAGAFLOW_HTTP_ALLOW` (see {@link HttpAllowList}); empty or absent allows any host. */
  allow?: string;
  breaker?: Partial<BreakerSettings>;
  /** Name resolution for the allow-list's CIDR rules; defaults to `dns.lookup`. */
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
}

const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** A non-2xx, non-retryable response comes back through the breaker as a success. */
interface Exchange {
  response: Response;
  body: ResponseBody;
}

/**
 * the contract's (docs/contract.md#workflow-definitions) `http` task type: 2xx completes; 408, 429, 5xx, network errors and timeouts
 * are retryable (429/503 with `Retry-After` say when); other statuses fail at once.
 * Redirects are not followed, so a 3xx cannot lead past the allow-list: it fails like a 4xx.
 */
export function createHttpHandler(options: HttpHandlerOptions = {}): HttpHandler {
  const allowList = HttpAllowList.parse(options.allow);
  const resolve = options.resolve ?? dnsResolver;
  const breakers = new HostBreakers<Exchange>({ ...DEFAULT_BREAKER_SETTINGS, ...options.breaker });
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  const handle = async (input: Json, ctx: TaskContext): Promise<HttpOutput> => {
    const spec = parseHttpInput(input);
    await allowList.check(spec.target, resolve);
    const hostKey = `${spec.target.hostname}:${spec.target.port}`;
    const { response, body } = await breakers.run(hostKey, () => exchange(spec, ctx, maxBytes));
    if (response.status < 200 || response.status > 299) throw statusFailure(response, describe(spec), body);
    if (body.truncated) {
      throw new NonRetryableError(`response of ${describe(spec)} is larger than ${maxBytes} bytes`);
    }
    return toOutput(response, body.text);
  };

  return { handle, close: () => breakers.close(), openBreakers: () => breakers.openCount() };
}

/** One request and its body; throws only for outcomes another attempt could change. */
async function exchange(spec: HttpRequestSpec, ctx: TaskContext, maxBytes: number): Promise<Exchange> {
  const ownTimeout = spec.timeoutMs === undefined ? undefined : AbortSignal.timeout(spec.timeoutMs);
  const signal = ownTimeout === undefined ? ctx.signal : AbortSignal.any([ctx.signal, ownTimeout]);
  const headers = new Headers(spec.headers);
  headers.set('idempotency-key', ctx.idempotencyKey);
  try {
    const response = await fetch(spec.url, {
      method: spec.method,
      headers,
      body: spec.body,
      signal,
      redirect: 'manual',
    });
    const body = await readBody(response, maxBytes);
    if (isRetryableStatus(response.status)) throw statusFailure(response, describe(spec), body);
    return { response, body };
  } catch (err) {
    throw transportFailure(err, spec, ctx, ownTimeout);
  }
}

function transportFailure(
  err: unknown,
  spec: HttpRequestSpec,
  ctx: TaskContext,
  ownTimeout: AbortSignal | undefined,
): Error {
  if (isTaskFailureError(err)) return err;
  if (ctx.signal.aborted) {
    const reason: unknown = ctx.signal.reason;
    return isTaskFailureError(reason) ? reason : new RetryableError(`${describe(spec)} was aborted`);
  }
  if (ownTimeout?.aborted === true && spec.timeoutMs !== undefined) {
    return new TaskTimeoutError(spec.timeoutMs, `${describe(spec)} timed out after ${spec.timeoutMs} ms`);
  }
  return new RetryableError(`${describe(spec)} failed: ${networkReason(err)}`, { cause: err });
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
