import { DELAY_TYPE, type WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { ValidationIssue } from '../../domain/shared/domain-error.js';
import type { WorkerDirectory } from '../ports/worker-directory.js';

/** A remark on a valid definition that does not stop it being registered (docs/contract.md#workflow-definitions). */
export type DefinitionWarning = ValidationIssue;

/**
 * One warning per task (and compensation) whose type no live worker announced within the
 * directory's window (docs/architecture.md, "Unserved task types"). `delay` runs in the
 * orchestrator, so it is always served. The check is advisory: when the heartbeats cannot be
 * read the answer says so in a warning instead of failing validation or registration.
 */
export async function unservedTaskWarnings(
  definition: WorkflowDefinition,
  directory: WorkerDirectory,
): Promise<DefinitionWarning[]> {
  const windowMs = directory.liveWindowMs;
  let served: ReadonlySet<string>;
  try {
    served = await directory.servedTypes(windowMs);
  } catch (error) {
    return [
      {
        path: 'tasks',
        message: `served task types not checked: worker heartbeats unavailable (${describe(error)})`,
      },
    ];
  }
  const seen = `seen in the last ${formatWindow(windowMs)}`;
  const warnings: DefinitionWarning[] = [];
  const check = (type: string, path: string) => {
    if (type !== DELAY_TYPE && !served.has(type)) {
      warnings.push({ path, message: `no worker serves task type ${JSON.stringify(type)} (${seen})` });
    }
  };
  definition.tasks.forEach((task, i) => {
    check(task.type, `tasks[${i}].type`);
    if (task.compensation) check(task.compensation.type, `tasks[${i}].compensation.type`);
  });
  return warnings;
}

/** The result's `warnings`, present only when there are any (docs/contract.md#workflow-definitions). */
export function withWarnings<T extends object>(
  value: T,
  warnings: readonly DefinitionWarning[],
): T & { warnings?: DefinitionWarning[] } {
  return warnings.length > 0 ? { ...value, warnings: [...warnings] } : value;
}

function formatWindow(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
