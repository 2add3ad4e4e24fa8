import { ApiProblem } from './api-client.js';
import { printable } from './watch/terminal-text.js';

/** Exit codes (docs/cli.md#exit-codes). */
export const EXIT = {
  ok: 0,
  /** The API refused or failed the request, or it could not be reached. */
  error: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** `runs watch` and `runs start --wait`: the run ended in a terminal status other than `COMPLETED`. */
  notCompleted: 3,
} as const;

/** A command line that cannot be carried out as written: exit 2, the message on stderr. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the CLI itself found (a file that is not JSON, an invalid definition): exit 1. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}

interface Issue {
  path?: string;
  message?: string;
}

/**
 * One line for stderr. A problem from the API gives its `detail` and, for a 400, each invalid
 * field as `path: message`; the text is the server's, so control characters are made printable
 * (a task error can carry escape sequences: docs/security.md).
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiProblem) {
    const listed: unknown[] = Array.isArray(error.problem.errors) ? error.problem.errors : [];
    const issues = listed.filter((issue): issue is Issue => typeof issue === 'object' && issue !== null);
    const named = issues.map((issue) => `${issue.path ?? ''}: ${issue.message ?? ''}`);
    const status = `HTTP ${error.status}`;
    // With named fields the detail only lists their paths: the title and each issue say more.
    if (named.length > 0)
      return printable(`${error.problem.title ?? error.message} (${status}): ${named.join('; ')}`);
    return printable(`${error.message} (${status})`);
  }
  if (error instanceof Error) return printable(error.message);
  return printable(String(error));
}

/** The exit code for an error a command threw. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? EXIT.usage : EXIT.error;
}
