import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';

/**
 * Nest's `log` level is its bootstrap chatter (each module initialised, each route mapped), which
 * the console logger used to filter out: debug here. Warnings and errors pass as they are.
 */
class SagaflowNestLogger extends NestPinoLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    this.debug(message, ...optionalParams);
  }
}

/**
 * Nest on the process's pino logger (nestjs-pino's logger service). Requests are logged by a
 * Fastify hook (src/interfaces/http/request-logging.ts), not by nestjs-pino's pino-http
 * middleware, which cost too much on the read path. nestjs-pino keeps its root logger
 * module-wide, built from the first parameters it sees: in a process that creates several apps
 * (tests do), later ones log Nest's lines through the first one's logger.
 */
export function nestLogging(logger: Logger): LoggerService {
  const params = { pinoHttp: { logger } };
  return new SagaflowNestLogger(new PinoLogger(params), params);
}
