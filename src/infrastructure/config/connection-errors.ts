import { loggableUrl } from '../../application/loggable-url.js';

/**
 * Connection errors worded for whoever has to fix them (docs/contract.md#configuration): the
 * service, where (without credentials), the configuration variable that says so, and why —
 * `RabbitMQ at amqp://127.0.0.1:5999 unreachable (AMQP_URL): ECONNREFUSED`.
 */
export function connectionError(
  service: string,
  url: string,
  variable: string | undefined,
  error: unknown,
): string {
  const where = `${service} at ${loggableUrl(url)}`;
  const which = variable ? ` (${variable})` : '';
  return isUnreachable(error)
    ? `${where} unreachable${which}: ${connectErrorText(error)}`
    : `${where}${which}: ${connectErrorText(error)}`;
}

/** A network-level failure (refused, unknown host, timed out) rather than an answer from the server. */
function isUnreachable(error: unknown): boolean {
  return (
    error instanceof AggregateError || errnoCodes(error).length > 0 || /timed? ?out/i.test(String(error))
  );
}

function errnoCodes(error: unknown): string[] {
  if (error instanceof AggregateError) return [...new Set(error.errors.flatMap(errnoCodes))];
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? [code] : [];
}

/**
 * The useful part of a connect error: the errno code when there is one (`ECONNREFUSED`,
 * `ENOTFOUND`, …; a dual-stack `localhost` fails with an AggregateError whose own message is
 * empty), else the message (a refused login, a missing database, a TLS error).
 */
export function connectErrorText(error: unknown): string {
  const codes = errnoCodes(error);
  if (codes.length > 0) return codes.join(', ');
  const message = error instanceof Error ? error.message : String(error);
  return message || String(error);
}
