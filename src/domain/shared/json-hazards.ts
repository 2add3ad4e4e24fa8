/**
 * What a JSON value must not contain to be stored and read back safely (docs/security.md,
 * "Limits and hostile input"). PostgreSQL `text` and `jsonb` cannot hold U+0000 nor a lone
 * UTF-16 surrogate (they are not valid UTF-8), and deeply nested values overflow recursive
 * code (validators, snapshots, `JSON.stringify` of PostgreSQL's own parser) long after they
 * were accepted. One pass, iterative, so even a 100,000-deep value cannot overflow the stack.
 */

/** Deepest nesting accepted: `{}` and `[]` are depth 1. Plenty for definitions and payloads. */
export const MAX_JSON_DEPTH = 64;

export type JsonHazardRule = 'max-depth' | 'nul-character' | 'lone-surrogate' | 'prototype-key';

/** The first offence found: where (JSON path from the root, `$` for the root itself) and which rule. */
export interface JsonHazard {
  path: string;
  rule: JsonHazardRule;
  message: string;
}

export interface JsonHazardOptions {
  /** Default {@link MAX_JSON_DEPTH}. */
  maxDepth?: number;
  /**
   * Reject `__proto__` keys and `constructor` keys holding a `prototype`, as the REST body
   * parser (secure-json-parse, `error`/`error`) does. For values that did not come through it.
   */
  prototypeKeys?: boolean;
  /** Path of the value itself, prefixed to every reported path. Default `$`. */
  root?: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** A reported key is cut to this many characters, so a path never echoes a huge key. */
const KEY_ECHO_CHARS = 64;

/** The rule a string breaks, if any. */
export function stringHazard(text: string): JsonHazardRule | null {
  if (text.includes('\u0000')) return 'nul-character';
  if (LONE_SURROGATE.test(text)) return 'lone-surrogate';
  return null;
}

const MESSAGES: Record<Exclude<JsonHazardRule, 'max-depth'>, string> = {
  'nul-character': 'contains the character U+0000, which cannot be stored',
  'lone-surrogate': 'contains a lone UTF-16 surrogate (not valid Unicode), which cannot be stored',
  'prototype-key': 'is a key that is not allowed (__proto__, or constructor.prototype)',
};

function hazardMessage(rule: JsonHazardRule, maxDepth: number): string {
  return rule === 'max-depth' ? `nests deeper than ${maxDepth} levels` : MESSAGES[rule];
}

/** `parent.key` or `parent["odd key"]`; odd keys are escaped (so U+0000 prints as `\u0000`) and cut. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key) && key.length <= KEY_ECHO_CHARS) return parent === '' ? key : `${parent}.${key}`;
  const shown = key.length > KEY_ECHO_CHARS ? `${key.slice(0, KEY_ECHO_CHARS)}…` : key;
  return `${parent}[${JSON.stringify(shown)}]`;
}

interface Pending {
  value: unknown;
  path: string;
  depth: number;
}

/**
 * The first hazard in `value` in document order, or null. Non-JSON leaves (functions,
 * symbols, bigints) are not this check's business and are passed over.
 */
export function findJsonHazard(value: unknown, options: JsonHazardOptions = {}): JsonHazard | null {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const root = options.root ?? '$';
  const display = (path: string) => (path === '' ? root : root === '$' ? path : childPath2(root, path));
  const found = (path: string, rule: JsonHazardRule): JsonHazard => ({
    path: display(path),
    rule,
    message: hazardMessage(rule, maxDepth),
  });
  const stack: Pending[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop() as Pending;
    if (typeof current === 'string') {
      const rule = stringHazard(current);
      if (rule) return found(path, rule);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) return found(path, 'max-depth');
    const children: Pending[] = [];
    if (Array.isArray(current)) {
      current.forEach((item, i) =>
        children.push({ value: item, path: childPath(path, i), depth: depth + 1 }),
      );
    } else {
      for (const [key, item] of Object.entries(current as Record<string, unknown>)) {
        const keyPath = childPath(path, key);
        const keyRule = stringHazard(key);
        if (keyRule) return found(keyPath, keyRule);
        if (options.prototypeKeys && isPrototypeKey(key, item)) return found(keyPath, 'prototype-key');
        children.push({ value: item, path: keyPath, depth: depth + 1 });
      }
      // `__proto__` set by JSON.parse is an own property, which Object.entries lists.
    }
    // Reversed so that the first child is examined first: the report is the first offence.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Pending);
  }
  return null;
}

function isPrototypeKey(key: string, item: unknown): boolean {
  if (key === '__proto__') return true;
  return (
    key === 'constructor' &&
    item !== null &&
    typeof item === 'object' &&
    Object.prototype.hasOwnProperty.call(item, 'prototype')
  );
}

/** Joins a non-`$` root with a relative path (`[0].x` or `x`). */
function childPath2(root: string, relative: string): string {
  return relative.startsWith('[') ? `${root}${relative}` : `${root}.${relative}`;
}

/** The issue message of a hazard: what is wrong, and the rule's name to switch on. */
export function hazardText(hazard: JsonHazard): string {
  return `${hazard.message} (${hazard.rule})`;
}
