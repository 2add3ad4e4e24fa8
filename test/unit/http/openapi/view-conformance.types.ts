import type { Conforms } from '../../../../src/interfaces/http/openapi/view-conformance.js';

/** Type-level cases, checked by `npm run typecheck` (no jest test): it fails if `Conforms` stops catching these drifts. */
type Is<T extends true> = T;
type IsNot<T extends false> = T;

export type _Cases = [
  Is<Conforms<{ a: string; b: readonly string[] }, { a: string; b: string[] }>>,
  Is<Conforms<{ a: { x: number } | null }, { a: { x: number; y?: string } | null }>>,
  Is<Conforms<{ data: { deep: [1] } }, { data: unknown }>>,
  // a field the schema does not list, at any depth
  IsNot<Conforms<{ a: string; extra: number }, { a: string }>>,
  IsNot<Conforms<{ a: { x: number; extra: 1 }[] }, { a: { x: number }[] }>>,
  // a value the schema does not admit
  IsNot<Conforms<{ a: string | null }, { a: string }>>,
  IsNot<Conforms<{ status: string }, { status: 'ok' | 'error' }>>,
];
