/**
 * Whether an error means PostgreSQL cannot be reached (docs/contract.md#rest-api: 503), as opposed to a query
 * that failed. Recognised by shape rather than by class so that this layer needs no driver or
 * ORM import: MikroORM's `DriverException` copies the driver error's `code`, and pg-pool and
 * Node's socket errors carry the system code.
 */

/** Socket-level failures reaching the server. */
const SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * SQLSTATEs for "the server is not serving": class 08 (connection exception), 57P01–57P03
 * (admin/crash shutdown, cannot connect now), 53300 (too many connections).
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** pg and pg-pool raise these without a code. */
const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /connection is not queryable/i,
];

const MAX_DEPTH = 5;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || !(error instanceof Error)) return false;
  if (error.name === 'ConnectionException') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SYSTEM_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) {
    return true;
  }
  if (MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // A dual-stack connect failure is an AggregateError of one error per address.
  if (error instanceof AggregateError && error.errors.some((e) => isDatabaseUnavailable(e, depth + 1)))
    return true;
  return isDatabaseUnavailable(error.cause, depth + 1);
}
