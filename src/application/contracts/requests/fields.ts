import { DomainValidationError, type ValidationIssue } from '../../../domain/shared/domain-error.js';
import { findJsonHazard, hazardText, type JsonHazardOptions } from '../../../domain/shared/json-hazards.js';

/**
 * Field rules shared by the request parsers of this folder (docs/architecture.md#where-requests-are-parsed).
 * Each parser takes JSON-like values (a transport maps "not given" to `undefined` first) and
 * collects every problem as a `ValidationIssue` named by its JSON path.
 */

/** Largest page of a list (docs/contract.md#rest-api). */
export const MAX_PAGE_SIZE = 1000;
/** Page size when none is given. */
export const DEFAULT_PAGE_SIZE = 100;

/** Throws the issues found, if any. */
export function throwIfAny(issues: readonly ValidationIssue[]): void {
  if (issues.length > 0) throw new DomainValidationError([...issues]);
}

/**
 * A page size: clamped to 1…1000 and never rejected (docs/contract.md#rest-api); anything that
 * is not a finite number is unreadable and means the default (`undefined`).
 */
export function pageLimit(raw: unknown): number | undefined {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return undefined;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(raw)));
}

/** The size a page read with `limit` has: the clamped limit, or the default. */
export function pageSize(limit: number | undefined): number {
  return limit ?? DEFAULT_PAGE_SIZE;
}

/** `after` of event reads: the last `seq` the client has, 0 when not given. */
export function afterSeq(raw: unknown, path: string, issues: ValidationIssue[]): number {
  if (raw === undefined) return 0;
  if (Number.isSafeInteger(raw) && (raw as number) >= 0) return raw as number;
  issues.push({ path, message: 'must be a non-negative integer' });
  return 0;
}

/** `afterSeq` on its own: throws the issue (subscriptions, `/ws`). */
export function parseAfterSeq(raw: unknown, path = 'after'): number {
  const issues: ValidationIssue[] = [];
  const after = afterSeq(raw, path, issues);
  throwIfAny(issues);
  return after;
}

/** An optional string filter; empty means not given. */
export function optionalText(raw: unknown, path: string, issues: ValidationIssue[]): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string') {
    const hazard = findJsonHazard(raw, { root: path });
    if (hazard === null) return raw;
    issues.push({ path, message: hazardText(hazard) });
    return undefined;
  }
  issues.push({ path, message: 'must be a string' });
  return undefined;
}

/**
 * A value too deeply nested or holding a string PostgreSQL cannot store (docs/security.md,
 * "Limits and hostile input") is a 400 naming its path and the rule; checked before any other
 * rule so that nothing recursive ever sees it.
 */
export function rejectJsonHazard(value: unknown, options: JsonHazardOptions = {}): void {
  const hazard = findJsonHazard(value, options);
  if (hazard) throw new DomainValidationError([{ path: hazard.path, message: hazardText(hazard) }]);
}
