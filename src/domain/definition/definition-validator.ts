import type { Json } from '../run/run-snapshot.js';
import { shortEcho } from '../shared/echo.js';
import type { ValidationIssue } from '../shared/domain-error.js';
import { findJsonHazard, hazardText } from '../shared/json-hazards.js';
import { ancestorSets, hasBit, topologicalOrder } from './dag.js';
import { isPlainObject, parseRetryPolicy } from './retry-policy.js';
import {
  DEFAULT_COMPENSATION_IDEMPOTENCY_KEY,
  DEFAULT_TASK_IDEMPOTENCY_KEY,
  parseTaskConfig,
} from './task-config.js';
import { collectRefs } from './template.js';
import type { CompensationDefinition, TaskDefinition, WorkflowDefinition } from './workflow-definition.js';
import { DELAY_TYPE } from './workflow-definition.js';

export const MAX_TASKS = 1000;
const NAME = /^[a-z0-9._-]{1,100}$/;

/** Whether `name` could name a definition (1–100 characters of `[a-z0-9._-]`). */
export function isDefinitionName(name: string): boolean {
  return NAME.test(name);
}
const KEY = /^[A-Za-z0-9_-]{1,64}$/;
const TYPE = /^[A-Za-z0-9_.-]{1,64}$/;
const TOP_FIELDS = new Set(['name', 'version', 'description', 'tasks', 'output']);
const TASK_FIELDS = new Set([
  'key',
  'type',
  'dependsOn',
  'input',
  'retry',
  'timeoutMs',
  'queueTimeoutMs',
  'priority',
  'idempotencyKey',
  'compensation',
]);
const COMPENSATION_FIELDS = new Set([
  'type',
  'input',
  'retry',
  'timeoutMs',
  'queueTimeoutMs',
  'priority',
  'idempotencyKey',
]);

export type DefinitionValidation =
  | { valid: true; definition: WorkflowDefinition; errors: [] }
  | { valid: false; definition: null; errors: ValidationIssue[] };

/**
 * Validates a raw definition (docs/contract.md#workflow-definitions) and returns it with defaults applied, or every problem
 * named by its JSON path from `base` (`''` for a body that is the definition itself).
 */
export function validateDefinition(raw: unknown, base = ''): DefinitionValidation {
  const issues: ValidationIssue[] = [];
  const at = (suffix: string) => (base ? `${base}${suffix.startsWith('[') ? '' : '.'}${suffix}` : suffix);
  if (!isPlainObject(raw)) {
    return { valid: false, definition: null, errors: [{ path: base || '$', message: 'must be an object' }] };
  }
  // First, before any recursive rule: a value too deep or unstorable is refused whole.
  const hazard = findJsonHazard(raw, { root: base || '$' });
  if (hazard) {
    return { valid: false, definition: null, errors: [{ path: hazard.path, message: hazardText(hazard) }] };
  }
  unknownFields(raw, TOP_FIELDS, base, issues);
  if (typeof raw.name !== 'string' || !NAME.test(raw.name)) {
    issues.push({ path: at('name'), message: 'must be 1–100 characters of [a-z0-9-_.]' });
  }
  if (raw.version !== undefined && (!Number.isInteger(raw.version) || (raw.version as number) < 1)) {
    issues.push({ path: at('version'), message: 'must be a positive integer' });
  }
  if (
    raw.description !== undefined &&
    (typeof raw.description !== 'string' || raw.description.length > 2000)
  ) {
    issues.push({ path: at('description'), message: 'must be a string of at most 2000 characters' });
  }
  const rawTasks = raw.tasks;
  if (!Array.isArray(rawTasks) || rawTasks.length < 1 || rawTasks.length > MAX_TASKS) {
    issues.push({ path: at('tasks'), message: `must be an array of 1 to ${MAX_TASKS} tasks` });
    return { valid: false, definition: null, errors: issues };
  }
  const tasks = rawTasks.map((task, i) => parseTask(task, at(`tasks[${i}]`), issues));
  const graphIssues = checkGraph(tasks, raw.output, (s) => at(s));
  issues.push(...graphIssues);
  if (issues.length > 0) return { valid: false, definition: null, errors: issues };
  return {
    valid: true,
    errors: [],
    definition: {
      name: raw.name as string,
      version: (raw.version as number | undefined) ?? null,
      description: (raw.description as string | undefined) ?? null,
      tasks: tasks as TaskDefinition[],
      output: raw.output === undefined ? null : (raw.output as Json),
    },
  };
}

function unknownFields(
  raw: Record<string, unknown>,
  known: Set<string>,
  path: string,
  issues: ValidationIssue[],
) {
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      issues.push({ path: path ? `${path}.${key}` : key, message: 'is not a known field' });
  }
}

/** Shape of one task; returns a best-effort task so the graph can still be checked. */
function parseTask(raw: unknown, path: string, issues: ValidationIssue[]): TaskDefinition | null {
  if (!isPlainObject(raw)) {
    issues.push({ path, message: 'must be an object' });
    return null;
  }
  unknownFields(raw, TASK_FIELDS, path, issues);
  const key = typeof raw.key === 'string' && KEY.test(raw.key) ? raw.key : null;
  if (key === null) issues.push({ path: `${path}.key`, message: 'must be 1–64 characters of [A-Za-z0-9_-]' });
  const type = parseType(raw.type, `${path}.type`, issues);
  let dependsOn: string[] = [];
  if (raw.dependsOn !== undefined) {
    if (!Array.isArray(raw.dependsOn) || raw.dependsOn.some((d) => typeof d !== 'string')) {
      issues.push({ path: `${path}.dependsOn`, message: 'must be an array of task keys' });
    } else {
      dependsOn = raw.dependsOn as string[];
    }
  }
  const input = (raw.input ?? {}) as Json;
  checkBuiltinInput(type, input, `${path}.input`, issues);
  let compensation: CompensationDefinition | null = null;
  if (raw.compensation !== undefined) {
    compensation = parseCompensation(raw.compensation, `${path}.compensation`, issues);
  }
  return {
    key: key ?? '',
    type,
    dependsOn,
    input,
    retry: parseRetryPolicy(raw.retry, `${path}.retry`, issues),
    ...parseTaskConfig(raw, path, DEFAULT_TASK_IDEMPOTENCY_KEY, issues),
    compensation,
  };
}

function parseCompensation(
  raw: unknown,
  path: string,
  issues: ValidationIssue[],
): CompensationDefinition | null {
  if (!isPlainObject(raw)) {
    issues.push({ path, message: 'must be an object' });
    return null;
  }
  unknownFields(raw, COMPENSATION_FIELDS, path, issues);
  const type = parseType(raw.type, `${path}.type`, issues);
  const input = (raw.input ?? {}) as Json;
  checkBuiltinInput(type, input, `${path}.input`, issues);
  return {
    type,
    input,
    // A compensation without its own policy uses the defaults, not its task's (docs/contract.md#workflow-definitions).
    retry: parseRetryPolicy(raw.retry, `${path}.retry`, issues),
    ...parseTaskConfig(raw, path, DEFAULT_COMPENSATION_IDEMPOTENCY_KEY, issues),
  };
}

function parseType(raw: unknown, path: string, issues: ValidationIssue[]): string {
  if (typeof raw === 'string' && TYPE.test(raw)) return raw;
  issues.push({ path, message: 'must be a handler name of 1–64 characters of [A-Za-z0-9_.-]' });
  return '';
}

/** Literal inputs of built-in types are checked now; templated fields are checked at run time. */
function checkBuiltinInput(type: string, input: Json, path: string, issues: ValidationIssue[]) {
  const isTemplate = (v: unknown) => typeof v === 'string' && v.includes('${');
  if (type === DELAY_TYPE) {
    const ms = isPlainObject(input) ? input.ms : undefined;
    if (!isTemplate(ms) && (!Number.isInteger(ms) || (ms as number) < 0)) {
      issues.push({ path: `${path}.ms`, message: 'must be an integer number of milliseconds ≥ 0' });
    }
  } else if (type === 'http') {
    if (!isPlainObject(input)) {
      issues.push({ path, message: 'must be an object { method, url, headers?, body?, timeoutMs? }' });
      return;
    }
    if (typeof input.url !== 'string') issues.push({ path: `${path}.url`, message: 'must be a URL string' });
    else if (!isTemplate(input.url) && !URL.canParse(input.url)) {
      issues.push({ path: `${path}.url`, message: 'must be an absolute URL' });
    }
    if (typeof input.method !== 'string')
      issues.push({ path: `${path}.method`, message: 'must be an HTTP method' });
  }
}

/** Keys unique and known, no cycles, template references only to ancestors. */
function checkGraph(
  tasks: (TaskDefinition | null)[],
  output: unknown,
  at: (suffix: string) => string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const indexOf = new Map<string, number>();
  tasks.forEach((task, i) => {
    if (!task?.key) return;
    if (indexOf.has(task.key)) {
      issues.push({
        path: at(`tasks[${i}].key`),
        message: `duplicate key "${task.key}" (also tasks[${indexOf.get(task.key)}])`,
      });
    } else indexOf.set(task.key, i);
  });
  const deps: number[][] = tasks.map((task, i) => {
    const out: number[] = [];
    task?.dependsOn.forEach((dep, j) => {
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
    if (!task) return;
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
