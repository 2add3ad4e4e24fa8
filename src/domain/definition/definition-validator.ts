import type { Json } from '../run/run-snapshot.js';
import { shortEcho } from '../shared/echo.js';
import type { ValidationIssue } from '../shared/domain-error.js';
import { ancestorSets, hasBit, topologicalOrder } from './dag.js';
import { isPlainObject, retryPolicyOf, type RetryPolicy } from './retry-policy.js';
import {
  DEFAULT_COMPENSATION_IDEMPOTENCY_KEY,
  DEFAULT_TASK_IDEMPOTENCY_KEY,
  taskConfigOf,
} from './task-config.js';
import { collectRefs } from './template.js';
import type { CompensationDefinition, TaskDefinition, WorkflowDefinition } from './workflow-definition.js';

/** The most tasks a definition can have; `SAGAFLOW_MAX_TASKS` may lower it (docs/security.md#limits-and-hostile-input). */
export const MAX_TASKS = 10_000;
const NAME = /^[a-z0-9._-]{1,100}$/;

/** Whether `name` could name a definition (1–100 characters of `[a-z0-9._-]`). */
export function isDefinitionName(name: string): boolean {
  return NAME.test(name);
}

/** What a task and a compensation may set of their execution; an absent field takes its default. */
export interface TaskConfigDraft {
  readonly retry?: Partial<RetryPolicy>;
  readonly timeoutMs?: number;
  readonly queueTimeoutMs?: number;
  readonly priority?: number;
  readonly idempotencyKey?: string;
}

export interface CompensationDraft extends TaskConfigDraft {
  readonly type: string;
  readonly input?: unknown;
}

export interface TaskDraft extends TaskConfigDraft {
  readonly key: string;
  readonly type: string;
  readonly dependsOn?: readonly string[];
  readonly input?: unknown;
  readonly compensation?: CompensationDraft;
}

/**
 * A definition as a client wrote it, its shape already checked (the schema `DefinitionInput` of
 * src/application/contracts/schemas, docs/architecture.md#one-schema-for-shape): the fields are
 * of the right types and within their ranges, nothing is defaulted yet.
 */
export interface DefinitionDraft {
  readonly name: string;
  readonly version?: number;
  readonly description?: string;
  readonly tasks: readonly TaskDraft[];
  readonly output?: unknown;
}

export type DefinitionValidation =
  | { valid: true; definition: WorkflowDefinition; errors: [] }
  | { valid: false; definition: null; errors: ValidationIssue[] };

/**
 * The rules of a well-shaped definition (docs/contract.md#workflow-definitions): keys unique,
 * dependencies known and acyclic, templates referring only to ancestors, literal `http` URLs
 * absolute, retry intervals in order. Returns it with defaults applied, or every problem named
 * by its JSON path from `base` (`''` for a body that is the definition itself).
 */
export function validateDefinition(draft: DefinitionDraft, base = ''): DefinitionValidation {
  const at = (suffix: string) => (base ? `${base}${suffix.startsWith('[') ? '' : '.'}${suffix}` : suffix);
  const issues: ValidationIssue[] = [];
  const tasks = draft.tasks.map((task, i) => withDefaults(task, at(`tasks[${i}]`), issues));
  issues.push(...checkGraph(tasks, draft.output, at));
  if (issues.length > 0) return { valid: false, definition: null, errors: issues };
  return {
    valid: true,
    errors: [],
    definition: {
      name: draft.name,
      version: draft.version ?? null,
      description: draft.description ?? null,
      tasks,
      output: draft.output === undefined ? null : (draft.output as Json),
    },
  };
}

function withDefaults(task: TaskDraft, path: string, issues: ValidationIssue[]): TaskDefinition {
  const input = (task.input ?? {}) as Json;
  checkBuiltinInput(task.type, input, `${path}.input`, issues);
  const compensation = task.compensation && compensationOf(task.compensation, `${path}.compensation`, issues);
  return {
    key: task.key,
    type: task.type,
    dependsOn: task.dependsOn ?? [],
    input,
    retry: retryPolicyOf(task.retry, `${path}.retry`, issues),
    ...taskConfigOf(task, DEFAULT_TASK_IDEMPOTENCY_KEY),
    compensation: compensation ?? null,
  };
}

function compensationOf(
  draft: CompensationDraft,
  path: string,
  issues: ValidationIssue[],
): CompensationDefinition {
  const input = (draft.input ?? {}) as Json;
  checkBuiltinInput(draft.type, input, `${path}.input`, issues);
  return {
    type: draft.type,
    input,
    // A compensation without its own policy uses the defaults, not its task's (docs/contract.md#workflow-definitions).
    retry: retryPolicyOf(draft.retry, `${path}.retry`, issues),
    ...taskConfigOf(draft, DEFAULT_COMPENSATION_IDEMPOTENCY_KEY),
  };
}

/** A literal `http` URL must parse; a templated one is checked when the task is queued. */
function checkBuiltinInput(type: string, input: Json, path: string, issues: ValidationIssue[]) {
  if (type !== 'http' || !isPlainObject(input) || typeof input.url !== 'string') return;
  if (!input.url.includes('${') && !URL.canParse(input.url)) {
    issues.push({ path: `${path}.url`, message: 'must be an absolute URL' });
  }
}

/** Keys unique and known, no cycles, template references only to ancestors. */
function checkGraph(
  tasks: readonly TaskDefinition[],
  output: unknown,
  at: (suffix: string) => string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const indexOf = new Map<string, number>();
  tasks.forEach((task, i) => {
    if (indexOf.has(task.key)) {
      issues.push({
        path: at(`tasks[${i}].key`),
        message: `duplicate key "${task.key}" (also tasks[${indexOf.get(task.key)}])`,
      });
    } else indexOf.set(task.key, i);
  });
  const deps: number[][] = tasks.map((task, i) => {
    const out: number[] = [];
    task.dependsOn.forEach((dep, j) => {
      const d = indexOf.get(dep);
      if (d === undefined)
        issues.push({
          path: at(`tasks[${i}].dependsOn[${j}]`),
          message: `unknown task key "${shortEcho(dep)}"`,
        });
      else if (d === i)
        issues.push({
          path: at(`tasks[${i}].dependsOn[${j}]`),
          message: `task "${shortEcho(dep)}" depends on itself`,
        });
      else if (!out.includes(d)) out.push(d);
    });
    return out;
  });
  if (issues.length > 0) return issues;
  const { order, cycle } = topologicalOrder(deps);
  if (cycle) {
    const keys = cycle.map((i) => tasks[i]!.key);
    return [{ path: at('tasks'), message: `dependency cycle: ${[...keys, keys[0]].join(' → ')}` }];
  }
  const ancestors = ancestorSets(deps, order);
  tasks.forEach((task, i) => {
    const allowed = (key: string, own: boolean) => {
      const j = indexOf.get(key);
      return j !== undefined && ((own && j === i) || hasBit(ancestors[i]!, j));
    };
    const check = (value: unknown, path: string, own: boolean) => {
      for (const { path: where, ref } of collectRefs(value, path)) {
        if (!ref.ok) issues.push({ path: where, message: ref.message });
        else if (ref.ref.root === 'tasks' && !allowed(ref.ref.taskKey, own)) {
          issues.push({
            path: where,
            message: `references task "${shortEcho(ref.ref.taskKey)}", which is not a task that "${task.key}" depends on`,
          });
        }
      }
    };
    check(task.input, at(`tasks[${i}].input`), false);
    check(task.idempotencyKey, at(`tasks[${i}].idempotencyKey`), false);
    if (task.compensation) {
      check(task.compensation.input, at(`tasks[${i}].compensation.input`), true);
      check(task.compensation.idempotencyKey, at(`tasks[${i}].compensation.idempotencyKey`), true);
    }
  });
  for (const { path, ref } of collectRefs(output, at('output'))) {
    if (!ref.ok) issues.push({ path, message: ref.message });
    else if (ref.ref.root === 'task') issues.push({ path, message: 'the run output has no current task' });
    else if (ref.ref.root === 'tasks' && !indexOf.has(ref.ref.taskKey)) {
      issues.push({ path, message: `unknown task key "${shortEcho(ref.ref.taskKey)}"` });
    }
  }
  return issues;
}
