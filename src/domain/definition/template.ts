/**
 * Templates (docs/contract.md#workflow-definitions): a string that is exactly `${ref}` becomes the referenced value with its
 * type; `${ref}` inside a longer string is interpolated as text.
 */
import type { Json } from '../run/run-snapshot.js';

// `*`, not `+`: an empty `${}` is a malformed reference, not literal text.
const WHOLE = /^\$\{([^{}]*)\}$/;
const INNER = /\$\{([^{}]*)\}/g;

export type TemplateRef =
  | { root: 'input'; path: string[]; text: string }
  | { root: 'tasks'; taskKey: string; path: string[]; text: string }
  | { root: 'run'; field: 'id'; text: string }
  | { root: 'task'; field: 'key' | 'attempt'; text: string };

export interface TemplateContext {
  input: Json;
  tasks: ReadonlyMap<string, Json>;
  runId: string;
  task?: { key: string; attempt: number };
}

export type ParsedRef = { ok: true; ref: TemplateRef } | { ok: false; message: string };

/**
 * Parsed references by their text: a run resolves the same few references for every task it
 * queues, and parsing them (regular expressions per segment) was a measurable part of queueing
 * one (docs/performance.md#the-per-task-path-step-by-step). Results are immutable; the memo is
 * emptied when it grows past `MEMO_LIMIT`, so hostile definitions cannot make it grow unbounded.
 */
const parsedRefs = new Map<string, ParsedRef>();
const MEMO_LIMIT = 10_000;

/** Parses `input.a.b`, `tasks.k.output.x[0]`, `run.id`, `task.key`, `task.attempt`. */
export function parseRef(text: string): ParsedRef {
  let parsed = parsedRefs.get(text);
  if (parsed === undefined) {
    if (parsedRefs.size >= MEMO_LIMIT) parsedRefs.clear();
    parsed = parseRefNow(text);
    parsedRefs.set(text, parsed);
  }
  return parsed;
}

function parseRefNow(text: string): ParsedRef {
  const segments = splitPath(text.trim());
  if (!segments) return { ok: false, message: `malformed reference \${${text}}` };
  const [root, ...rest] = segments;
  if (root === 'input') return { ok: true, ref: { root, path: rest, text } };
  if (root === 'run' && rest.length === 1 && rest[0] === 'id')
    return { ok: true, ref: { root, field: 'id', text } };
  if (root === 'task' && rest.length === 1 && (rest[0] === 'key' || rest[0] === 'attempt')) {
    return { ok: true, ref: { root, field: rest[0], text } };
  }
  if (root === 'tasks' && rest.length >= 2 && rest[1] === 'output') {
    return { ok: true, ref: { root, taskKey: rest[0] ?? '', path: rest.slice(2), text } };
  }
  return {
    ok: false,
    message: `unknown reference \${${text}} (use input.…, tasks.<key>.output.…, run.id, task.key or task.attempt)`,
  };
}

function splitPath(text: string): string[] | null {
  const segments: string[] = [];
  for (const part of text.split('.')) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!match?.[1]) return null;
    segments.push(match[1]);
    for (const index of match[2]?.matchAll(/\[(\d+)\]/g) ?? []) segments.push(index[1] ?? '');
  }
  return segments;
}

/** Every reference in a template value, with the JSON path of the string that holds it. */
export function collectRefs(value: unknown, path: string, out: { path: string; ref: ParsedRef }[] = []) {
  if (typeof value === 'string') {
    for (const match of value.matchAll(INNER)) out.push({ path, ref: parseRef(match[1] ?? '') });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collectRefs(item, `${path}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) collectRefs(item, `${path}.${key}`, out);
  }
  return out;
}

export type Resolved = { ok: true; value: Json } | { ok: false; message: string };

class Unresolved extends Error {}

/** Resolves every reference; the first one that finds nothing fails with its path named. */
export function resolveTemplate(value: Json, ctx: TemplateContext): Resolved {
  try {
    return { ok: true, value: resolveValue(value, ctx) };
  } catch (error) {
    if (error instanceof Unresolved) return { ok: false, message: error.message };
    throw error;
  }
}

function resolveValue(value: Json, ctx: TemplateContext): Json {
  if (typeof value === 'string') return resolveString(value, ctx);
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [key, item] of Object.entries(value)) out[key] = resolveValue(item, ctx);
    return out;
  }
  return value;
}

function resolveString(text: string, ctx: TemplateContext): Json {
  if (!text.includes('${')) return text;
  const whole = WHOLE.exec(text);
  if (whole) return lookup(whole[1] ?? '', ctx);
  return text.replace(INNER, (_, ref: string) => {
    const found = lookup(ref, ctx);
    return typeof found === 'string' ? found : JSON.stringify(found);
  });
}

function lookup(text: string, ctx: TemplateContext): Json {
  const parsed = parseRef(text);
  if (!parsed.ok) throw new Unresolved(parsed.message);
  const ref = parsed.ref;
  switch (ref.root) {
    case 'run':
      return ctx.runId;
    case 'task':
      if (!ctx.task) throw new Unresolved(`\${${text}} has no task here`);
      return ref.field === 'key' ? ctx.task.key : ctx.task.attempt;
    case 'input':
      return walk(ctx.input, ref.path, text);
    case 'tasks': {
      const output = ctx.tasks.get(ref.taskKey);
      if (output === undefined) throw new Unresolved(`\${${text}}: task ${ref.taskKey} has no output`);
      return walk(output, ref.path, text);
    }
  }
}

function walk(value: Json, path: string[], text: string): Json {
  let current: Json | undefined = value;
  for (const segment of path) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (current !== null && typeof current === 'object')
      current = Object.hasOwn(current, segment) ? current[segment] : undefined;
    else current = undefined;
    if (current === undefined) break;
  }
  if (current === undefined) throw new Unresolved(`\${${text}} resolves to nothing`);
  return current;
}
