import { describe, expect, it } from '@jest/globals';

import {
  collectRefs,
  parseRef,
  resolveTemplate,
  type TemplateContext,
} from '../../../src/domain/definition/template.js';
import type { Json } from '../../../src/domain/run/run-snapshot.js';

const ctx: TemplateContext = {
  input: { sku: 'A-1', amount: 12.5, flags: { gift: true }, items: [{ id: 7 }, { id: 8 }], none: null },
  tasks: new Map<string, Json>([
    ['reserve', { body: { id: 'res-9', lines: [1, 2] } }],
    ['empty', {}],
  ]),
  runId: 'run-42',
  task: { key: 'charge', attempt: 3 },
};

function resolved(value: Json, context: TemplateContext = ctx): Json {
  const result = resolveTemplate(value, context);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function failure(value: Json, context: TemplateContext = ctx): string {
  const result = resolveTemplate(value, context);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.message;
}

describe('resolveTemplate', () => {
  it('replaces a whole-string reference by the value with its type', () => {
    expect(resolved('${input.amount}')).toBe(12.5);
    expect(resolved('${input.flags}')).toEqual({ gift: true });
    expect(resolved('${input.flags.gift}')).toBe(true);
    expect(resolved('${input.none}')).toBeNull();
    expect(resolved('${tasks.reserve.output.body.lines}')).toEqual([1, 2]);
    expect(resolved('${tasks.reserve.output}')).toEqual({ body: { id: 'res-9', lines: [1, 2] } });
    expect(resolved('${task.attempt}')).toBe(3);
    expect(resolved('${input}')).toEqual(ctx.input);
  });

  it('interpolates references inside a longer string as text', () => {
    expect(resolved('sku=${input.sku}, n=${input.amount}')).toBe('sku=A-1, n=12.5');
    expect(resolved('${run.id}:${task.key}')).toBe('run-42:charge');
    expect(resolved('f=${input.flags}')).toBe('f={"gift":true}');
    expect(resolved(' ${input.sku}')).toBe(' A-1');
  });

  it('walks array indexes', () => {
    expect(resolved('${input.items[1].id}')).toBe(8);
    expect(resolved('${tasks.reserve.output.body.lines[0]}')).toBe(1);
  });

  it('resolves nested objects and arrays, leaving other values alone', () => {
    expect(
      resolved({ a: ['${input.sku}', 1, true, null, { b: 'x-${input.items[0].id}' }], c: 'plain' }),
    ).toEqual({ a: ['A-1', 1, true, null, { b: 'x-7' }], c: 'plain' });
  });

  it('tolerates spaces inside the braces', () => {
    expect(resolved('${ input.sku }')).toBe('A-1');
  });

  it.each([
    ['${input.missing}', 'input.missing'],
    ['${input.flags.gift.deeper}', 'input.flags.gift.deeper'],
    ['${input.items[5].id}', 'input.items[5].id'],
    ['${tasks.reserve.output.body.nope}', 'tasks.reserve.output.body.nope'],
    ['${tasks.ghost.output.x}', 'tasks.ghost.output.x'],
    ['id: ${input.none.x}', 'input.none.x'],
  ])('fails %s with the path named', (template, path) => {
    expect(failure({ deep: [template] })).toContain(path);
  });

  it('does not resolve inherited properties of an object', () => {
    expect(failure('${input.constructor}')).toContain('input.constructor');
    expect(failure('${tasks.empty.output.toString}')).toContain('tasks.empty.output.toString');
  });

  it('fails task.* where there is no current task', () => {
    const { task: _task, ...noTask } = ctx;
    expect(failure('${task.key}', noTask)).toContain('task.key');
    expect(failure('${task.attempt}', noTask)).toContain('task.attempt');
  });

  it('fails a malformed reference at run time too', () => {
    expect(failure('${input..x}')).toMatch(/malformed/);
    expect(failure('a ${} b')).toMatch(/malformed/);
  });
});

describe('parseRef and collectRefs', () => {
  it('parses each kind of reference', () => {
    expect(parseRef('input.a[2].b')).toEqual({
      ok: true,
      ref: { root: 'input', path: ['a', '2', 'b'], text: 'input.a[2].b' },
    });
    expect(parseRef('tasks.k.output.x')).toEqual({
      ok: true,
      ref: { root: 'tasks', taskKey: 'k', path: ['x'], text: 'tasks.k.output.x' },
    });
    expect(parseRef('run.id')).toMatchObject({ ok: true, ref: { root: 'run', field: 'id' } });
    expect(parseRef('task.attempt')).toMatchObject({ ok: true, ref: { root: 'task', field: 'attempt' } });
    expect(parseRef('task.id')).toMatchObject({ ok: false });
    expect(parseRef('a[x]')).toMatchObject({ ok: false });
  });

  it('collects every reference with the JSON path of its string', () => {
    const refs = collectRefs({ a: ['${input.x} ${run.id}'], b: { c: '${tasks.t.output}' }, d: 3 }, 'in');
    expect(refs.map((r) => r.path)).toEqual(['in.a[0]', 'in.a[0]', 'in.b.c']);
    expect(refs.every((r) => r.ref.ok)).toBe(true);
  });
});
