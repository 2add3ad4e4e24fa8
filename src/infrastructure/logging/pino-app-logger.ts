import type { Logger } from 'pino';
import type { LogFields, MessagingLogger } from '../messaging/logger.js';

/** Sagaflow's logger port on pino; `child` binds fields (a component, a queue) to every line. */
export class PinoAppLogger implements MessagingLogger {
  constructor(readonly pino: Logger) {}

  debug(message: string, fields?: LogFields): void {
    if (fields === undefined) this.pino.debug(message);
    else this.pino.debug(fields, message);
  }

  log(message: string, fields?: LogFields): void {
    if (fields === undefined) this.pino.info(message);
    else this.pino.info(fields, message);
  }

  warn(message: string, fields?: LogFields): void {
    if (fields === undefined) this.pino.warn(message);
    else this.pino.warn(fields, message);
  }

  error(message: string, fields?: LogFields): void {
    if (fields === undefined) this.pino.error(message);
    else this.pino.error(fields, message);
  }

  child(bindings: LogFields): MessagingLogger {
    return new PinoAppLogger(this.pino.child(bindings));
  }
}
