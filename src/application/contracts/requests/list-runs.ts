import { isRunStatus, type RunStatus } from '../../../domain/run/run-status.js';
import { shortEcho } from '../../../domain/shared/echo.js';
import type { ValidationIssue } from '../../../domain/shared/domain-error.js';
import { optionalText, pageLimit, throwIfAny } from './fields.js';

/** The filters of a run list as a transport received them; "not given" is `undefined`. */
export interface ListRunsRequest {
  definition?: unknown;
  status?: unknown;
  /** A number, or the text of one (a query string). */
  limit?: unknown;
  cursor?: unknown;
  createdAfter?: unknown;
  createdBefore?: unknown;
}

/** `GET /v1/runs` (and `runs`) once parsed; an absent field filters nothing. */
export interface ListRunsCriteria {
  readonly definition?: string;
  readonly status?: RunStatus;
  /** 1…1000; absent means the default page size. */
  readonly limit?: number;
  /** `nextCursor` of the previous page, opaque here (the read model made it). */
  readonly cursor?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
}

/** An ISO-8601 time with a date and a time of day (and, for clarity, a zone). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The filters of docs/contract.md#rest-api "Lists", every problem named by its parameter. */
export function parseListRuns(request: ListRunsRequest): ListRunsCriteria {
  const issues: ValidationIssue[] = [];
  const definition = optionalText(request.definition, 'definition', issues);
  const status = runStatus(request.status, issues);
  const limit = pageLimit(typeof request.limit === 'string' ? Number(request.limit) : request.limit);
  const cursor = optionalText(request.cursor, 'cursor', issues);
  const createdAfter = time(request.createdAfter, 'createdAfter', issues);
  const createdBefore = time(request.createdBefore, 'createdBefore', issues);
  throwIfAny(issues);
  return {
    ...(definition !== undefined ? { definition } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    ...(createdAfter !== undefined ? { createdAfter } : {}),
    ...(createdBefore !== undefined ? { createdBefore } : {}),
  };
}

function runStatus(raw: unknown, issues: ValidationIssue[]): RunStatus | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string' && isRunStatus(raw)) return raw;
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  issues.push({ path: 'status', message: `"${shortEcho(shown)}" is not a run status` });
  return undefined;
}

function time(raw: unknown, path: string, issues: ValidationIssue[]): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const at = typeof raw === 'string' && ISO_TIME.test(raw) ? new Date(raw) : null;
  if (at && !Number.isNaN(at.getTime())) return at;
  issues.push({ path, message: 'must be an ISO-8601 time with a zone, e.g. 2026-12-01T00:00:00Z' });
  return undefined;
}
