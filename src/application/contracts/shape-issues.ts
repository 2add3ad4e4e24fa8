import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { Settings } from 'typebox/system';
import type { ValidationIssue } from '../../domain/shared/domain-error.js';

/**
 * The shape of a request checked against its TypeBox schema, the same schema the OpenAPI
 * document publishes (docs/architecture.md#where-requests-are-parsed), and every problem turned
 * into a `ValidationIssue` named by its JSON path (`tasks[0].key`, `$` for the root).
 *
 * A subschema may carry an `errorMessage` annotation: that text is the issue's message whatever
 * keyword failed, so a field reads one rule ("must be an integer from 0 to 9") rather than the
 * keyword's. A subschema without one is spoken for by the array or union it is in (an item
 * of `roles` reads as `roles` does), never by the object it is a property of. An unknown field of a closed object reads "is not a known field"; a missing one is
 * named at its own path. For an `anyOf`, only the branch of the value's JSON type speaks; when no
 * branch has that type, the union's own message does.
 */
export function shapeIssues(schema: TSchema, value: unknown, base = ''): ValidationIssue[] {
  const validator = validatorOf(schema);
  // The compiled check first: valid values (nearly all of them) never pay for error collection.
  if (validator.Check(value)) return [];
  const errors = validator.Errors(value);
  if (errors.length === 0) return [];
  const silenced = silencedBranches(schema, value, errors);
  const issues: ValidationIssue[] = [];
  // TypeBox names an object's missing fields before its present ones; they wait until the
  // errors of that object are done, so that the issues follow the fields' order.
  let missing: { instancePath: string; issues: ValidationIssue[] }[] = [];
  const flush = (instancePath: string | null) => {
    const done = missing.filter((m) => instancePath === null || !isBelow(instancePath, m.instancePath));
    for (const m of done.reverse()) issues.push(...m.issues);
    missing = missing.filter((m) => !done.includes(m));
  };
  for (const error of errors) {
    if (silenced.some((branch) => covers(branch, error))) continue;
    flush(error.instancePath);
    if (error.keyword === 'required') missing.push({ instancePath: error.instancePath, issues: [] });
    const found = issuesOf(schema, error, silenced, base);
    (error.keyword === 'required' ? missing.at(-1)!.issues : issues).push(...found);
  }
  flush(null);
  return unique(issues);
}

/** The issues one TypeBox error stands for (none for the ones another error speaks for). */
function issuesOf(
  schema: TSchema,
  error: TLocalizedValidationError,
  silenced: readonly Silenced[],
  base: string,
) {
  const instance = pointerSegments(error.instancePath);
  switch (error.keyword) {
    case 'boolean':
      // The `false` of a closed object's additionalProperties; the `additionalProperties`
      // error beside it names the same keys.
      if (error.schemaPath.endsWith('/additionalProperties')) return [];
      break;
    case 'additionalProperties':
      return error.params.additionalProperties.map((key) => ({
        path: jsonPath(base, [...instance, key]),
        message: 'is not a known field',
      }));
    case 'required': {
      const properties = schemaAt(schema, error.schemaPath)?.properties as
        Record<string, Annotated> | undefined;
      return error.params.requiredProperties.map((key) => ({
        path: jsonPath(base, [...instance, key]),
        message: properties?.[key]?.errorMessage ?? 'is required',
      }));
    }
    case 'anyOf': {
      const own = `${error.schemaPath}/anyOf/`;
      const unanswered = silenced.some((b) => b.instancePath === error.instancePath && b.schemaPath === own);
      if (!unanswered) return [];
      break;
    }
  }
  const { message, depth } = speaker(schema, error.schemaPath);
  return [
    { path: jsonPath(base, instance.slice(0, depth ?? instance.length)), message: message ?? error.message },
  ];
}

/**
 * How many errors TypeBox gathers for one value (its default is 8). A union's branches all
 * report, and only one of them speaks, so a small buffer would fill with the silent ones and
 * drop later fields' issues. Bodies are bounded before this runs (payload limit, depth 64).
 */
const MAX_GATHERED_ERRORS = 1000;
Settings.Set({ maxErrors: MAX_GATHERED_ERRORS });

interface Annotated {
  readonly errorMessage?: string;
  readonly [keyword: string]: unknown;
}

const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** Branches left out at one value: errors at or below `instancePath` and within `schemaPath`. */
interface Silenced {
  readonly instancePath: string;
  readonly schemaPath: string;
}

/**
 * The branches whose errors are left out: at each value a union refused, every branch but the
 * one that speaks for it. When none does, all of them are, listed as `<anyOf path>/anyOf/`, so
 * that the union's own error is kept.
 */
function silencedBranches(
  schema: TSchema,
  value: unknown,
  errors: readonly { keyword: string; schemaPath: string; instancePath: string }[],
): Silenced[] {
  const silenced: Silenced[] = [];
  for (const { keyword, schemaPath, instancePath } of errors) {
    if (keyword !== 'anyOf') continue;
    const branches = (schemaAt(schema, schemaPath)?.anyOf as Annotated[] | undefined) ?? [];
    const chosen = branchOf(branches, valueAt(value, pointerSegments(instancePath)));
    if (chosen === -1) silenced.push({ instancePath, schemaPath: `${schemaPath}/anyOf/` });
    else
      branches.forEach((_, i) => {
        if (i !== chosen) silenced.push({ instancePath, schemaPath: `${schemaPath}/anyOf/${i}` });
      });
  }
  return silenced;
}

/** Whether the value at `instancePath` is the one at `ancestor` or inside it. */
function isBelow(instancePath: string, ancestor: string): boolean {
  return instancePath === ancestor || instancePath.startsWith(`${ancestor}/`);
}

function covers(branch: Silenced, error: { schemaPath: string; instancePath: string }): boolean {
  return isBelow(error.instancePath, branch.instancePath) && within(error.schemaPath, branch.schemaPath);
}

/**
 * The `errorMessage` that speaks for an error at `schemaPath`: the failing subschema's own, or
 * that of the nearest array (`items`) or union branch (`anyOf`) around it, with the number of
 * instance segments down to the value it speaks of (none spoke: the failing value, in the
 * keyword's words).
 */
function speaker(schema: TSchema, schemaPath: string): { message?: string; depth?: number } {
  const segments = pointerSegments(schemaPath.replace(/^#/, ''));
  let node: Annotated | undefined = schema as Annotated;
  let depth = 0;
  let spoke = typeof node.errorMessage === 'string' ? { message: node.errorMessage, depth } : undefined;
  for (let i = 0; i < segments.length && node; i++) {
    const keyword = segments[i]!;
    if (keyword === 'properties' || keyword === 'prefixItems') {
      node = child(child(node, keyword), segments[++i]!);
      depth += 1;
      spoke = undefined; // an object's message is not its properties'
    } else if (keyword === 'items' || keyword === 'additionalProperties') {
      node = child(node, keyword);
      depth += 1;
    } else if (keyword === 'anyOf' || keyword === 'allOf' || keyword === 'oneOf') {
      node = child(child(node, keyword), segments[++i]!);
    } else {
      node = child(node, keyword);
    }
    if (typeof node?.errorMessage === 'string') spoke = { message: node.errorMessage, depth };
  }
  return spoke ?? {};
}

function child(node: Annotated | undefined, key: string): Annotated | undefined {
  const value = node?.[key];
  return value !== null && typeof value === 'object' ? (value as Annotated) : undefined;
}

function within(schemaPath: string, prefix: string): boolean {
  return prefix.endsWith('/')
    ? schemaPath.startsWith(prefix)
    : schemaPath === prefix || schemaPath.startsWith(`${prefix}/`);
}

/**
 * The branch that speaks for `value`: of those of its JSON type, the first whose constant
 * properties it has (a task's `type: "http"` picks the http variant), or else the first with
 * no constant it contradicts; -1 when no branch has its type.
 */
function branchOf(branches: readonly Annotated[], value: unknown): number {
  const type = jsonType(value);
  const candidates = branches.flatMap((branch, i) => (typeMatches(branch, type) ? [i] : []));
  if (candidates.length <= 1 || type !== 'object') return candidates[0] ?? -1;
  const fit = candidates.map((i) => constantsFit(branches[i]!, value as Record<string, unknown>));
  const exact = candidates.findIndex((_, k) => fit[k] === 'all');
  if (exact !== -1) return candidates[exact]!;
  const open = candidates.findIndex((_, k) => fit[k] === 'none');
  return candidates[open === -1 ? 0 : open]!;
}

/** Whether an object has a branch's constant properties: all of them, none declared, or not. */
function constantsFit(branch: Annotated, value: Record<string, unknown>): 'all' | 'none' | 'contradicted' {
  const constants = Object.entries((branch.properties as Record<string, Annotated> | undefined) ?? {}).filter(
    ([, property]) => 'const' in property,
  );
  if (constants.length === 0) return 'none';
  return constants.every(([key, property]) => value[key] === property.const) ? 'all' : 'contradicted';
}

function typeMatches(branch: Annotated, type: string): boolean {
  const declared = branch.type;
  if (declared === undefined) return !('anyOf' in branch);
  const types = Array.isArray(declared) ? (declared as string[]) : [declared as string];
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function schemaAt(schema: TSchema, schemaPath: string): Annotated | undefined {
  let node: unknown = schema;
  for (const segment of pointerSegments(schemaPath.replace(/^#/, ''))) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node !== null && typeof node === 'object' ? (node as Annotated) : undefined;
}

function valueAt(value: unknown, segments: readonly string[]): unknown {
  let node = value;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** `tasks`, `0`, `key` from `base` → `base.tasks[0].key`; the root is `base`, or `$`. */
function jsonPath(base: string, segments: readonly string[]): string {
  let path = base;
  for (const segment of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path === '' ? '$' : path;
}

function unique(issues: readonly ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
