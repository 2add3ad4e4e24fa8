import type { Static } from 'typebox';
import type { DefinitionList as DefinitionListResult } from '../../../application/queries/definition-queries.js';
import type {
  RunEventPage as RunEventPageResult,
  RunList as RunListResult,
} from '../../../application/queries/run-queries.js';
import type { DefinitionView, RunView } from '../../../application/queries/run-view.js';
import type { ValidationReport as ValidationReportResult } from '../../../application/queries/validate-definition.js';
import type { ApiKeyView, CreatedApiKeyView } from '../../../application/api-keys/api-key-view.js';
import type { ApiKey, ApiKeyList, CreatedApiKey } from '../../../application/contracts/schemas/api-keys.js';
import type { ProblemDetails } from '../problem/problem-details.js';
import type {
  Definition,
  DefinitionList,
  ValidationReport,
} from '../../../application/contracts/schemas/definitions.js';
import type { Problem } from '../../../application/contracts/schemas/problem.js';
import type { RunEventPage } from '../../../application/contracts/schemas/run-events.js';
import type { Run, RunList } from '../../../application/contracts/schemas/runs.js';

/**
 * Compile-time proof that what the application answers fits the documented response schemas:
 * every value of the view type is a value of the schema's `Static` type, and the view has no
 * field the schema does not list (at any depth). The views are built in src/application, which
 * cannot import transports, so the check lives here; `npm run typecheck` fails on a drift.
 */
export type Conforms<View, Schema> = [Writable<View>] extends [Schema]
  ? NoExtraFields<Writable<View>, Schema>
  : false;

type Assert<T extends true> = T;

/** Readonly arrays and fields made writable: the schema types are plain JSON. */
type Writable<T> = T extends readonly (infer I)[]
  ? Writable<I>[]
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> }
    : T;

type KeysOf<S> = S extends readonly unknown[] ? never : S extends object ? keyof S : never;
type FieldOf<S, K> = S extends object ? (K extends keyof S ? S[K] : never) : never;
type ItemOf<S> = S extends readonly (infer I)[] ? I : never;

type NoExtraFields<V, S> = unknown extends S
  ? true // any JSON: nothing to compare
  : V extends readonly (infer I)[]
    ? NoExtraFields<I, ItemOf<S>>
    : V extends object
      ? [Exclude<Extract<keyof V, string>, Extract<KeysOf<S>, string>>] extends [never]
        ? AllTrue<{ [K in keyof V]-?: NoExtraFields<V[K], FieldOf<S, K>> }>
        : false
      : true;

type AllTrue<T> = [T[keyof T]] extends [true] ? true : false;

/**
 * Where a view type is looser than what it holds, narrowed here with the reason:
 * - a stored definition always has a version (only inline definitions have none, and they
 *   are never stored);
 * - a run's definition is `{ name, version }` when registered and `{ name, version: null,
 *   inline: true }` when inline (`runSummaryView`);
 * - a run's `createdAt` is always set (`iso()` is typed for the nullable timestamps too).
 */
type StoredDefinitionView = Omit<DefinitionView, 'version'> & { version: number };
type DefinitionRefView = { name: string; version: number } | { name: string; version: null; inline: true };
type Narrowed<V extends { definition: unknown }> = Omit<V, 'definition' | 'createdAt'> & {
  definition: DefinitionRefView;
  createdAt: string;
};
type RunViewNarrowed = Narrowed<RunView>;
type RunListNarrowed = Omit<RunListResult, 'items'> & { items: Narrowed<RunListResult['items'][number]>[] };

export type _Checks = [
  Assert<Conforms<StoredDefinitionView, Static<typeof Definition>>>,
  Assert<Conforms<{ items: StoredDefinitionView[] }, Static<typeof DefinitionList>>>,
  Assert<Conforms<DefinitionListResult, { items: unknown[] }>>,
  Assert<Conforms<ValidationReportResult, Static<typeof ValidationReport>>>,
  Assert<Conforms<RunViewNarrowed, Static<typeof Run>>>,
  Assert<Conforms<RunListNarrowed, Static<typeof RunList>>>,
  Assert<Conforms<RunEventPageResult, Static<typeof RunEventPage>>>,
  Assert<Conforms<ProblemDetails, Static<typeof Problem>>>,
  Assert<Conforms<ApiKeyView, Static<typeof ApiKey>>>,
  Assert<Conforms<CreatedApiKeyView, Static<typeof CreatedApiKey>>>,
  Assert<Conforms<{ items: ApiKeyView[] }, Static<typeof ApiKeyList>>>,
];
