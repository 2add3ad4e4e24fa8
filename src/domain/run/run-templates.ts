import { resolveTemplate, type TemplateContext } from '../definition/template.js';
import type { WorkflowDefinition } from '../definition/workflow-definition.js';
import type { Json, RunError, RunSnapshot } from './run-snapshot.js';

/**
 * What templates see of a run: its input, its id, and the output of every task that completed —
 * including ones being or already compensated, whose output compensations refer to.
 */
export function templateContextOf(
  state: RunSnapshot,
  task?: { key: string; attempt: number },
): TemplateContext {
  const outputs = new Map<string, Json>();
  for (const t of state.tasks) {
    if (
      t.status === 'COMPLETED' ||
      t.status === 'COMPENSATING' ||
      t.status === 'COMPENSATED' ||
      t.status === 'COMPENSATION_FAILED'
    ) {
      outputs.set(t.key, t.output);
    }
  }
  return { input: state.input, tasks: outputs, runId: state.id, ...(task ? { task } : {}) };
}

/**
 * A completed run's output: the definition's `output` template if it has one, otherwise the
 * outputs of the tasks nothing depends on, keyed by task.
 */
export function runOutputOf(
  definition: WorkflowDefinition,
  state: RunSnapshot,
  dependents: readonly (readonly number[])[],
): { ok: true; value: Json } | { ok: false; message: string } {
  if (definition.output !== null) return resolveTemplate(definition.output, templateContextOf(state));
  const output: Record<string, Json> = {};
  state.tasks.forEach((t, i) => {
    if (dependents[i]!.length === 0) output[t.key] = t.output;
  });
  return { ok: true, value: output };
}

/**
 * The run's error when every task has completed but its output does not resolve (docs/contract.md#run-output):
 * the run fails with `error.taskKey` null. Null while a task has not completed, or when it resolves.
 */
export function runOutputError(
  definition: WorkflowDefinition,
  state: RunSnapshot,
  dependents: readonly (readonly number[])[],
): RunError | null {
  if (state.tasks.some((t) => t.status !== 'COMPLETED')) return null;
  const output = runOutputOf(definition, state, dependents);
  return output.ok ? null : { taskKey: null, message: `run output: ${output.message}` };
}
