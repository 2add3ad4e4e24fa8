import type { QueryBus } from '@nestjs/cqrs';
import { NotFoundError } from '../../../application/errors.js';
import { GetRunQuery } from '../../../application/queries/run-queries.js';
import { runView, type RunView } from '../../../application/queries/run-view.js';
import type { RunSnapshot } from '../../../domain/run/run-snapshot.js';

/**
 * The run as SPEC §4 shows it, right after a command changed it. The state comes from the
 * command's own snapshot, because reads may be served by a replica or cache that has not
 * seen the commit yet; the read only contributes what never changes (each task's `type`
 * and `dependsOn`, which live in the definition). If the read does not know the run yet,
 * those two stay as `runView` leaves them without a definition.
 */
export async function runAfterCommand(queries: QueryBus, snapshot: RunSnapshot): Promise<RunView> {
  const fresh = runView(snapshot, null);
  const stored = await queries
    .execute<GetRunQuery, RunView>(new GetRunQuery(snapshot.id))
    .catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
  if (!stored) return fresh;
  const staticFacts = new Map(stored.tasks.map((t) => [t.key, t]));
  return {
    ...fresh,
    tasks: fresh.tasks.map((task) => {
      const known = staticFacts.get(task.key);
      return known ? { ...task, type: known.type, dependsOn: known.dependsOn } : task;
    }),
  };
}
