import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { findJsonHazard, MAX_JSON_DEPTH } from '../../../src/domain/shared/json-hazards.js';
import { MAX_ECHO_CHARS, shortEcho } from '../../../src/domain/shared/echo.js';

/** `depth` nested arrays around `leaf`, built without recursion. */
function nestedArrays(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** The same through JSON.parse, which is how hostile bodies arrive. */
function parsedNestedObjects(depth: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

describe('findJsonHazard', () => {
  it.each([
    ['a plain value', { a: [1, 'x', null, true, { b: 'ü😀' }] }, null],
    ['U+0000 in a value', { a: { b: 'x\u0000y' } }, { path: 'a.b', rule: 'nul-character' }],
    ['U+0000 in a key', { a: { 'k\u0000': 1 } }, { path: 'a["k\\u0000"]', rule: 'nul-character' }],
    ['a lone high surrogate', { a: ['ok', 'x\uD800'] }, { path: 'a[1]', rule: 'lone-surrogate' }],
    ['a lone low surrogate', { a: '\uDC00x' }, { path: 'a', rule: 'lone-surrogate' }],
    ['a reversed pair', { a: '\uDC00\uD800' }, { path: 'a', rule: 'lone-surrogate' }],
    ['a bad root string', '\u0000', { path: '$', rule: 'nul-character' }],
    [
      'the first offence in document order',
      { a: 'ok', b: '\u0000', c: '\uD800' },
      { path: 'b', rule: 'nul-character' },
    ],
    ['an odd key quoted', { 'a b': { c: '\u0000' } }, { path: '["a b"].c', rule: 'nul-character' }],
  ])('%s', (_name, value, expected) => {
    const found = findJsonHazard(value);
    if (expected === null) expect(found).toBeNull();
    else expect(found).toMatchObject(expected);
  });

  it('accepts exactly MAX_JSON_DEPTH levels and refuses one more, naming where', () => {
    expect(findJsonHazard(nestedArrays(MAX_JSON_DEPTH))).toBeNull();
    const found = findJsonHazard({ x: nestedArrays(MAX_JSON_DEPTH) });
    expect(found?.rule).toBe('max-depth');
    expect(found?.path).toBe(`x${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`);
  });

  it.each([5_000, 100_000])('reports %i levels without overflowing the stack', (depth) => {
    expect(findJsonHazard(nestedArrays(depth))?.rule).toBe('max-depth');
    expect(findJsonHazard(parsedNestedObjects(depth))?.rule).toBe('max-depth');
  });

  it('prefixes a root and refuses prototype keys only when asked', () => {
    const poisoned = JSON.parse('{"a":{"__proto__":{"x":1}}}') as unknown;
    expect(findJsonHazard(poisoned)).toBeNull();
    expect(findJsonHazard(poisoned, { prototypeKeys: true, root: 'input' })).toMatchObject({
      path: 'input.a.__proto__',
      rule: 'prototype-key',
    });
    expect(findJsonHazard({ constructor: { prototype: {} } }, { prototypeKeys: true })?.rule).toBe(
      'prototype-key',
    );
    expect(findJsonHazard({ constructor: 'fine' }, { prototypeKeys: true })).toBeNull();
  });

  it('a very long key is cut in the path', () => {
    const key = 'k'.repeat(10_000);
    const found = findJsonHazard({ [key]: '\u0000' });
    expect(found?.path.length).toBeLessThan(100);
  });

  const bad = fc.constantFrom('\u0000', '\uD800', '\uDFFF', 'a\uDBFFb');
  /** A path of keys and indexes, and a JSON value with a bad string injected at its end. */
  const injected = fc
    .tuple(
      fc.array(fc.oneof(fc.constantFrom('a', 'b_1', '$x'), fc.nat({ max: 3 })), { maxLength: 10 }),
      bad,
      fc.jsonValue({ maxDepth: 3 }),
    )
    .map(([steps, badText, filler]) => {
      let value: unknown = badText;
      let path = '';
      for (let i = steps.length - 1; i >= 0; i--) {
        const step = steps[i] as string | number;
        if (typeof step === 'number') {
          // Earlier siblings are clean (well-formed) JSON, so the injected string is the first offence.
          const siblings = Array.from({ length: step }, () => filler);
          value = [...siblings, value];
        } else {
          value = { [step]: value };
        }
      }
      for (const step of steps)
        path = typeof step === 'number' ? `${path}[${step}]` : path === '' ? step : `${path}.${step}`;
      return {
        value,
        path: path === '' ? '$' : path,
        rule: badText.includes('\u0000') ? 'nul-character' : 'lone-surrogate',
      };
    });

  it('always reports an injected bad string at its path', () => {
    fc.assert(
      fc.property(injected, ({ value, path, rule }) => {
        expect(findJsonHazard(value)).toMatchObject({ path, rule });
      }),
    );
  });

  it('never reports well-formed JSON within the depth limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), (value) => expect(findJsonHazard(value)).toBeNull()),
    );
  });
});

describe('shortEcho', () => {
  it('keeps short text and cuts long text to a prefix', () => {
    expect(shortEcho('abc')).toBe('abc');
    const cut = shortEcho('x'.repeat(900_000));
    expect(cut).toBe(`${'x'.repeat(MAX_ECHO_CHARS)}…`);
  });
});
