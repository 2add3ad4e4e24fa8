import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from './redaction.js';
import { traceCorrelation } from './trace-correlation.js';

export interface LoggerOptions {
  /** A pino level name (AppConfig.logLevel, checked by loadConfig). */
  level: string;
  /** Adds `trace_id`/`span_id` of the active span to each line; off when tracing is (no cost then). */
  traceCorrelation: boolean;
  /**
   * Where lines go; default: pino's stdout stream. It writes asynchronously (a write(2) per line
   * cost ≈ 5% more CPU per task at saturation) and drains while the process shuts down.
   */
  destination?: DestinationStream;
}

/**
 * The process's pino logger: one JSON object per line, `level` as a name (`"warn"`), ISO
 * timestamps, credentials redacted. Everything logs through it or a child of it: Nest, the
 * request log (pino-http) and Sagaflow's own components.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      ...(options.traceCorrelation ? { mixin: traceCorrelation } : {}),
    },
    options.destination,
  );
}
