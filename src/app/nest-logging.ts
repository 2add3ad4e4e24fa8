import type { DynamicModule, LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { requestLogging } from '../interfaces/http/request-logging.js';

/**
 * Nest's `log` level is its bootstrap chatter (each module initialised, each route mapped), which
 * the console logger used to filter out: debug here. Warnings and errors pass as they are.
 */
class SagaflowNestLogger extends NestPinoLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    this.debug(message, ...optionalParams);
  }
}

export interface NestLogging {
  /** Nest's logger, on the process's pino logger. */
  logger: LoggerService;
  /** The request log (api role only): nestjs-pino's module with pino-http. */
  module: DynamicModule | null;
}

/**
 * Nest on the process's pino logger. nestjs-pino keeps its root logger module-wide, built from the
 * first parameters it sees: in a process that creates several apps (tests do), later ones log
 * Nest's lines and requests through the first one's logger. The parameters are the same for every
 * role, so that the request log is configured alike whichever app came first.
 */
export function nestLogging(logger: Logger, http: boolean): NestLogging {
  const params = requestLogging(logger);
  return {
    logger: new SagaflowNestLogger(new PinoLogger(params), params),
    module: http ? LoggerModule.forRoot(params) : null,
  };
}
