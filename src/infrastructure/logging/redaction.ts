/** What every log line is scrubbed of, whoever wrote it (pino `redact`). */
export const REDACTED = '[redacted]';

/**
 * Credentials in request and response headers (pino-http logs them), and task payloads in case a
 * message is ever logged whole: Sagaflow never logs task input or output on purpose. Exact paths
 * only: pino compiles them into the serializer, and wildcards would cost on every line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'input',
  'output',
];

/**
 * A URL fit for a log line: no credentials, query string or fragment (they may carry tokens).
 * Anything that is not an absolute URL comes back as its part before `?` or `#`.
 */
export function loggableUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return value.split(/[?#]/, 1)[0]!.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}
