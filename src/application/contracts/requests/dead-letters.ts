import type { ValidationIssue } from '../../../domain/shared/domain-error.js';
import { shortEcho } from '../../../domain/shared/echo.js';
import { optionalText, pageLimit, throwIfAny } from './fields.js';

/** `GET /v1/dead-letters` (and `deadLetters`) once parsed; an absent field filters nothing. */
export interface ListDeadLettersCriteria {
  readonly queue?: string;
  /** 1…1000; absent means the default page size. */
  readonly limit?: number;
  readonly cursor?: string;
}

/** A page cursor of the dead-letter list: the position of the last letter shown. */
const CURSOR = /^[1-9][0-9]{0,18}$/;

/** The filters of docs/contract.md#dead-letters, every problem named by its parameter. */
export function parseListDeadLetters(request: {
  queue?: unknown;
  limit?: unknown;
  cursor?: unknown;
}): ListDeadLettersCriteria {
  const issues: ValidationIssue[] = [];
  const queue = optionalText(request.queue, 'queue', issues);
  const limit = pageLimit(typeof request.limit === 'string' ? Number(request.limit) : request.limit);
  const cursor = optionalText(request.cursor, 'cursor', issues);
  if (cursor !== undefined && !CURSOR.test(cursor)) {
    issues.push({ path: 'cursor', message: `"${shortEcho(cursor)}" is not a cursor of this list` });
  }
  throwIfAny(issues);
  return {
    ...(queue !== undefined ? { queue } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}
