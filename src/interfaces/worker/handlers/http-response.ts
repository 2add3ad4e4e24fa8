import type { Response } from 'undici';

import { NonRetryableError, RetryAfterError, RetryableError } from '../../../domain/errors/task-errors.js';
import type { Json } from '../../../domain/run/run-snapshot.js';
import { isJsonMediaType } from './http-request.js';

/** The `http` task's output (docs/contract.md#workflow-definitions). A type alias, not an interface, so it is a `Json`. */
export type HttpOutput = { status: number; headers: { [name: string]: string }; body: Json };

export interface ResponseBody {
  text: string;
  truncated: boolean;
}

/**
 * Reads at most `limit` bytes: a body lands in the task's output, the run's row and the
 * result message, so an unbounded one would hurt all three.
 */
export async function readBody(response: Response, limit: number): Promise<ResponseBody> {
  if (response.body === null) return { text: '', truncated: false };
  // lib.dom types fetch bodies as ReadableStream<any>; they are byte streams.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: decode(chunks), truncated: false };
    if (size + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - size));
      await reader.cancel().catch(() => undefined); // the connection is dropped either way
      return { text: decode(chunks), truncated: true };
    }
    chunks.push(value);
    size += value.byteLength;
  }
}

export function toOutput(response: Response, text: string): HttpOutput {
  const headers: { [name: string]: string } = {};
  for (const [name, value] of response.headers) {
    // Repeated headers (set-cookie) come one by one; keep them all, as HTTP joins them.
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: response.status, headers, body: parseBody(response.headers.get('content-type'), text) };
}

function parseBody(contentType: string | null, text: string): Json {
  if (!isJsonMediaType(contentType)) return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as Json;
  } catch {
    // A server that mislabels its body should not fail a task that got its 2xx.
    return text;
  }
}

/** docs/contract.md#workflow-definitions: 408, 429 and 5xx may succeed later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The failure for a non-2xx response; `what` names the request without its query string. */
export function statusFailure(response: Response, what: string, body: ResponseBody): Error {
  const snippet = body.text.slice(0, 200).trim();
  const message = `HTTP ${response.status} from ${what}${snippet === '' ? '' : `: ${snippet}`}`;
  if (!isRetryableStatus(response.status)) return new NonRetryableError(message);
  if (response.status === 429 || response.status === 503) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (retryAfterMs !== undefined) return new RetryAfterError(retryAfterMs, message);
  }
  return new RetryableError(message);
}

/** `Retry-After` is delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const ms = Number(trimmed) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function decode(chunks: Uint8Array[]): string {
  return new TextDecoder().decode(Buffer.concat(chunks));
}
