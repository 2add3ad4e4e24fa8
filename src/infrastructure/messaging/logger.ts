/**
 * The smallest logger the messaging layer needs. Nest's `Logger` satisfies it, so the module
 * that wires these classes can pass one in; tests and tools get the silent default.
 */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: MessagingLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Error text for logs: `unknown` because amqplib and handlers can throw anything. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
