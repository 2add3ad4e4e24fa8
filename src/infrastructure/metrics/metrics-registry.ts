import { collectDefaultMetrics, Registry } from 'prom-client';

/** Every series Sagaflow exposes starts with this, the process metrics of prom-client included. */
export const METRIC_PREFIX = 'sagaflow_';

/**
 * A registry of one process (one app), never prom-client's global one: tests run several apps in
 * one process, and each must expose only its own series. Node's process metrics (CPU, memory,
 * GC, event-loop lag as `sagaflow_nodejs_eventloop_lag_*`) are collected under the prefix.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
