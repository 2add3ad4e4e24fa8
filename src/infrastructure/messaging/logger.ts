import type { AppLogger, LogFields } from '../../application/ports/logger.js';

export type { LogFields };

/** The application's logger port (src/application/ports/logger.ts), as the adapters name it. */
export type MessagingLogger = AppLogger;

export const silentLogger: MessagingLogger = {
  debug: () => undefined,
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Error text for logs: `unknown` because amqplib and handlers can throw anything. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
