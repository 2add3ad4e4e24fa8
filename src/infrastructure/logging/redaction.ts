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

export { loggableUrl } from '../../application/loggable-url.js';
