#!/usr/bin/env node
import type { Logger } from 'pino';
import { startTracing } from './infrastructure/telemetry/start-tracing.js';

// Tracing first: the instrumentations patch pg, amqplib, ioredis and node:http as they are first
// loaded, so the application is imported only once the SDK runs (it is not loaded at all when
// tracing is off: no OTEL_EXPORTER_OTLP_ENDPOINT).
await startTracing();
const { createApp } = await import('./app/create-app.js');
const { ConfigError } = await import('./infrastructure/config/config-variables.js');
const { StartupAborted } = await import('./app/composition/sagaflow-runtime.js');

/** One entry point; SAGAFLOW_ROLES picks what this process does (docs/contract.md#processes-and-roles). */
let sagaflow: Awaited<ReturnType<typeof createApp>>;
try {
  sagaflow = await createApp(
    {},
    {
      onListening: (listening, logger) =>
        // Before any dependency is connected: /health/live answers from here on.
        announcer(logger).info(
          { url: listening },
          `sagaflow listening on ${listening}; connecting to PostgreSQL, RabbitMQ and Redis`,
        ),
    },
  );
} catch (error) {
  // A malformed variable is the operator's to fix, not a bug: one line naming it, no stack.
  if (error instanceof ConfigError) {
    process.stderr.write(`sagaflow: ${error.message}\n`);
    process.exit(1);
  }
  // SIGTERM while still connecting: the shutdown hook has closed everything; nothing failed.
  if (error instanceof StartupAborted) process.exit(0);
  throw error;
}
const { config, logger, url, metricsUrl } = sagaflow;
const roles = [...config.roles].join(',');
announcer(logger).info(
  { instance_id: config.instanceId, roles, url, metrics_url: metricsUrl },
  `sagaflow ${config.instanceId} running roles ${roles}${url ? ` on ${url}` : ''}` +
    (metricsUrl ? `; metrics on ${metricsUrl}` : ''),
);

/** The listening and start lines are written at any LOG_LEVEL but `silent`: supervisors and the e2e tests wait for them. */
function announcer(logger: Logger): Logger {
  return logger.isLevelEnabled('info') || logger.level === 'silent'
    ? logger
    : logger.child({}, { level: 'info' });
}
