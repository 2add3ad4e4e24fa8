import { DEFAULT_RESOURCE_LIMITS, type ResourceLimits } from '../../application/resource-limits.js';
import { MAX_TASKS } from '../../domain/definition/definition-validator.js';
import { ConfigError, type ConfigEnv, type ConfigVariable } from './config-variables.js';

/** RabbitMQ's default largest message is 128 MiB; a result must fit in one with room to spare. */
const MAX_PAYLOAD_CEILING = 64 * 1_048_576;

/** Messages waiting in the task and result queues before starts are refused (docs/operations.md#overload). */
export const DEFAULT_MAX_BACKLOG = 5_000;

function bounded(env: ConfigEnv, name: ConfigVariable, fallback: number, min: number, max: number): number {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${env[name]}"`);
  }
  return value;
}

/** SAGAFLOW_MAX_BACKLOG: 0 turns admission control off. */
export function maxBacklogConfig(env: ConfigEnv): number {
  return bounded(env, 'SAGAFLOW_MAX_BACKLOG', DEFAULT_MAX_BACKLOG, 0, 100_000_000);
}

// SAGAFLOW_MAX_TASKS and SAGAFLOW_MAX_PAYLOAD_BYTES: whole numbers within what the engine holds.
export function limitsConfig(env: ConfigEnv): ResourceLimits {
  return {
    maxTasks: bounded(env, 'SAGAFLOW_MAX_TASKS', DEFAULT_RESOURCE_LIMITS.maxTasks, 1, MAX_TASKS),
    maxPayloadBytes: bounded(
      env,
      'SAGAFLOW_MAX_PAYLOAD_BYTES',
      DEFAULT_RESOURCE_LIMITS.maxPayloadBytes,
      1024,
      MAX_PAYLOAD_CEILING,
    ),
  };
}
