import type { ValidationIssue } from '../../../domain/shared/domain-error.js';

/** RFC 9457 problem details, the body of every error answer (docs/contract.md#rest-api). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: ValidationIssue[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * The kinds of problem this API answers with. `type` URIs are stable identifiers clients
 * may switch on; plain HTTP failures use `about:blank`, as RFC 9457 §4.2.1 recommends, so
 * their `title` is the status phrase.
 */
const KINDS = {
  validation: { type: 'https://sagaflow.dev/problems/validation', title: 'Invalid request', status: 400 },
  malformedBody: {
    type: 'https://sagaflow.dev/problems/malformed-body',
    title: 'Malformed JSON body',
    status: 400,
  },
  unauthenticated: {
    type: 'https://sagaflow.dev/problems/unauthenticated',
    title: 'Unauthorized',
    status: 401,
  },
  forbidden: { type: 'https://sagaflow.dev/problems/forbidden', title: 'Forbidden', status: 403 },
  notFound: { type: 'https://sagaflow.dev/problems/not-found', title: 'Not Found', status: 404 },
  conflict: { type: 'https://sagaflow.dev/problems/conflict', title: 'Conflict', status: 409 },
  invalidState: {
    type: 'https://sagaflow.dev/problems/invalid-state',
    title: 'Action not allowed in this state',
    status: 422,
  },
  databaseUnavailable: {
    type: 'https://sagaflow.dev/problems/database-unavailable',
    title: 'Database unavailable',
    status: 503,
  },
  brokerUnavailable: {
    type: 'https://sagaflow.dev/problems/broker-unavailable',
    title: 'Broker unavailable',
    status: 503,
  },
  overloaded: {
    type: 'https://sagaflow.dev/problems/overloaded',
    title: 'Overloaded',
    status: 503,
  },
} as const;

export type ProblemKind = keyof typeof KINDS;

export function problemOf(kind: ProblemKind, detail: string, errors?: ValidationIssue[]): ProblemDetails {
  const { type, title, status } = KINDS[kind];
  return errors ? { type, title, status, detail, errors } : { type, title, status, detail };
}

/** A problem known only by its HTTP status (unknown route, 413, 415, 500, ...). */
export function httpProblem(status: number, title: string, detail: string): ProblemDetails {
  return { type: 'about:blank', title, status, detail };
}
