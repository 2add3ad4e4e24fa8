import { parseCancelRun, type CancelRunInput } from '../../../application/contracts/requests/cancel-run.js';
import { parseListRuns, type ListRunsCriteria } from '../../../application/contracts/requests/list-runs.js';
import { parseRunEvents, type RunEventsPage } from '../../../application/contracts/requests/run-events.js';
import { parseStartRun, type StartRunInput } from '../../../application/contracts/requests/start-run.js';
import type { RunStatus } from '../../../domain/run/run-status.js';
import { DomainValidationError } from '../../../domain/shared/domain-error.js';

/**
 * GraphQL arguments into the requests of src/application/contracts/requests, parsed by the
 * same functions as REST (docs/architecture.md#where-requests-are-parsed). What is GraphQL's
 * own is done here only: an argument left out is undefined and one given as null is null,
 * and both mean "not given".
 */
const given = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

export interface StartRunArguments {
  definition?: string | null;
  inline?: unknown;
  version?: number | null;
  input?: unknown;
  idempotencyKey?: string | null;
  priority?: number | null;
}

/**
 * `startRun`: the arguments become the body of `POST /v1/runs`. `definition` (a name) and
 * `inline` (an object) are one field there; an inline definition's problems are named under
 * `inline`, the argument the client used.
 */
export function startRunInputOf(args: StartRunArguments): StartRunInput {
  const isInline = args.inline !== null && args.inline !== undefined;
  if ((given(args.definition) !== undefined) === isInline) {
    throw new DomainValidationError([
      { path: 'definition', message: 'give exactly one of definition (a registered name) and inline' },
    ]);
  }
  const body = {
    definition: isInline ? args.inline : args.definition,
    ...(given(args.version) !== undefined ? { version: args.version } : {}),
    ...(args.input !== undefined ? { input: args.input } : {}),
    ...(given(args.idempotencyKey) !== undefined ? { idempotencyKey: args.idempotencyKey } : {}),
    ...(given(args.priority) !== undefined ? { priority: args.priority } : {}),
  };
  try {
    return parseStartRun(body);
  } catch (error) {
    throw isInline ? renameDefinitionPaths(error) : error;
  }
}

/** `cancelRun(reason)`: the body of `POST /v1/runs/{id}/cancel`. */
export function cancelRunInputOf(reason: string | null | undefined): CancelRunInput {
  const text = given(reason);
  return parseCancelRun(text === undefined ? undefined : { reason: text });
}

export interface RunsArguments {
  definition?: string | null;
  status?: RunStatus | null;
  first?: number | null;
  after?: string | null;
}

/** `runs`: `first` is REST's `limit`, `after` its `cursor`. */
export function listRunsCriteriaOf(args: RunsArguments): ListRunsCriteria {
  return parseListRuns({
    definition: given(args.definition),
    status: given(args.status),
    limit: given(args.first),
    cursor: given(args.after),
  });
}

/** `runEvents`: `first` is REST's `limit`. */
export function runEventsPageOf(after: number | null | undefined, first?: number | null): RunEventsPage {
  return parseRunEvents({ after: given(after), limit: given(first) });
}

/** The start parser names the definition's fields from `definition`; here that argument is `inline`. */
function renameDefinitionPaths(error: unknown): unknown {
  if (!(error instanceof DomainValidationError)) return error;
  return new DomainValidationError(
    error.issues.map((issue) => ({
      ...issue,
      path: /^definition(?=$|[.[])/.test(issue.path)
        ? `inline${issue.path.slice('definition'.length)}`
        : issue.path,
    })),
  );
}
