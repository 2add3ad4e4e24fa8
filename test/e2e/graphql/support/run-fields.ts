/** Every field of a run, for comparing a GraphQL run with the REST JSON of the same run. */
export const RUN_FIELDS = `
  fragment RunFields on Run {
    id namespace
    definition { name version inline }
    status priority idempotencyKey
    error { taskKey message }
    createdAt startedAt finishedAt
    input output
    tasks {
      key type dependsOn status attempts output
      error { message code }
      queuedAt startedAt finishedAt
      compensation { status attempts output error { message code } startedAt finishedAt }
    }
  }`;

interface RestError {
  message: string;
  code?: string | null;
}

interface RestRun {
  definition: { name: string; version: number | null; inline?: boolean };
  tasks: { error: RestError | null; compensation: { error: RestError | null } | null }[];
}

/**
 * The REST JSON of a run as GraphQL answers it: `definition.inline` is always there and an
 * error's absent `code` is null. Everything else must be equal as is.
 */
export function asGraphqlRun(rest: unknown): unknown {
  const run = structuredClone(rest) as RestRun;
  run.definition.inline = run.definition.inline === true;
  const withCode = (e: RestError | null) => (e ? { ...e, code: e.code ?? null } : null);
  run.tasks = run.tasks.map((t) => ({
    ...t,
    error: withCode(t.error),
    compensation: t.compensation ? { ...t.compensation, error: withCode(t.compensation.error) } : null,
  }));
  return run;
}
