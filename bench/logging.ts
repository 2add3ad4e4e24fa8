import { pino } from 'pino';
import type { CreateAppOptions } from '../src/app/create-app.js';
import type { AppConfig } from '../src/infrastructure/config/app-config.js';

/**
 * The bench's processes report on stdout, so Sagaflow's log lines go to stderr. Quiet (warn)
 * unless LOG_LEVEL says otherwise: `LOG_LEVEL=info npm run bench 2>/dev/null` measures the cost
 * of the info lines (one per attempt) that production writes by default.
 */
export const benchLogging: { config: Partial<AppConfig>; options: CreateAppOptions } = {
  config: { logLevel: process.env.LOG_LEVEL?.trim() || 'warn' },
  options: { logDestination: pino.destination({ dest: 2, sync: false }) },
};
