#!/usr/bin/env node
import { startTracing } from './infrastructure/telemetry/start-tracing.js';

// Tracing first: the instrumentations patch pg, amqplib, ioredis and node:http as they are first
// loaded, so the application is imported only once the SDK runs (it is not loaded at all when
// tracing is off: no OTEL_EXPORTER_OTLP_ENDPOINT).
await startTracing();
const { createApp } = await import('./app/create-app.js');

/** One entry point; SAGAFLOW_ROLES picks what this process does (SPEC §1). */
const sagaflow = await createApp();
const roles = [...sagaflow.config.roles].join(',');
console.log(
  `sagaflow ${sagaflow.config.instanceId} running roles ${roles}${sagaflow.url ? ` on ${sagaflow.url}` : ''}`,
);
