#!/usr/bin/env node
import { startTracing } from './infrastructure/telemetry/start-tracing.js';

// Tracing first: the instrumentations patch pg, amqplib, ioredis and node:http as they are first
// loaded, so the application is imported only once the SDK runs (it is not loaded at all when
// tracing is off: no OTEL_EXPORTER_OTLP_ENDPOINT).
await startTracing();
const { createApp } = await import('./app/create-app.js');

/** One entry point; SAGAFLOW_ROLES picks what this process does (docs/contract.md#processes-and-roles). */
const sagaflow = await createApp();
const { config, logger, url } = sagaflow;
const roles = [...config.roles].join(',');
// The start line is written at any LOG_LEVEL but `silent`: supervisors and the e2e tests wait for it.
const announcer =
  logger.isLevelEnabled('info') || logger.level === 'silent' ? logger : logger.child({}, { level: 'info' });
announcer.info(
  { instance_id: config.instanceId, roles, url },
  `sagaflow ${config.instanceId} running roles ${roles}${url ? ` on ${url}` : ''}`,
);
