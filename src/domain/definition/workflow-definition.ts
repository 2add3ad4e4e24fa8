import type { Json } from '../run/run-snapshot.js';
import type { RetryPolicy } from './retry-policy.js';
import type { TaskConfig } from './task-config.js';

/** The compensation that undoes a completed task. */
export interface CompensationDefinition extends TaskConfig {
  readonly type: string;
  readonly input: Json;
  readonly retry: RetryPolicy;
}

export interface TaskDefinition extends TaskConfig {
  readonly key: string;
  readonly type: string;
  readonly dependsOn: readonly string[];
  readonly input: Json;
  readonly retry: RetryPolicy;
  readonly compensation: CompensationDefinition | null;
}

/** A validated definition with every default applied. Immutable once registered. */
export interface WorkflowDefinition {
  readonly name: string;
  /** null until registered (inline definitions never get one). */
  readonly version: number | null;
  readonly description: string | null;
  readonly tasks: readonly TaskDefinition[];
  /** Template of the run's output; null = the outputs of the tasks nothing depends on. */
  readonly output: Json | null;
}

export const DELAY_TYPE = 'delay';

/**
 * Canonical JSON of a definition for "identical content" (docs/contract.md#workflow-definitions): defaults applied, keys
 * sorted, `version` ignored.
 */
export function canonicalDefinitionJson(definition: WorkflowDefinition): string {
  const { version: _version, ...content } = definition;
  return canonicalJson(content);
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
