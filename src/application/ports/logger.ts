/** Structured fields of a log line (`run_id`, `queue`, …), snake_case like the ones pino adds. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logger Sagaflow's own components write to (pino behind it: `PinoAppLogger`). `log` is
 * info. A component gets a `child` with its own fields bound rather than prefixing its messages;
 * tests and tools get the silent default.
 */
export interface AppLogger {
  debug(message: string, fields?: LogFields): void;
  log(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bindings: LogFields): AppLogger;
}
