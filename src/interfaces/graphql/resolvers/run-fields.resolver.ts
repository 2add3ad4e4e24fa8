import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { NotFoundError } from '../../../application/errors.js';
import type { RunView } from '../../../application/queries/run-view.js';
import type { RunList } from '../../http/controllers/query-results.js';
import type { GraphqlContext } from '../graphql-context.js';
import { EXPECTED_TASKS, listOf } from '../limits/cost.js';
import { JsonScalar } from '../scalars/json.scalar.js';
import { Run, RunDefinitionRef, Task } from '../types/run.types.js';

/** A run as the resolvers return it: whole (one run) or a list item without tasks, input and output. */
type RunParent = RunView | RunList['items'][number];

/**
 * The fields list items lack. They come from the request's run loader, which fetches the
 * runs of a whole page in one batched query, so `runs { items { tasks } }` costs a fixed
 * number of SQL statements however long the page is.
 */
@Resolver(() => Run)
export class RunFieldsResolver {
  @ResolveField('tasks', () => [Task], { complexity: listOf(EXPECTED_TASKS) })
  async tasks(@Parent() run: RunParent, @Context() context: GraphqlContext): Promise<RunView['tasks']> {
    return (await this.whole(run, context)).tasks;
  }

  @ResolveField('input', () => JsonScalar, { nullable: true })
  async input(@Parent() run: RunParent, @Context() context: GraphqlContext): Promise<unknown> {
    return (await this.whole(run, context)).input;
  }

  @ResolveField('output', () => JsonScalar, { nullable: true })
  async output(@Parent() run: RunParent, @Context() context: GraphqlContext): Promise<unknown> {
    return (await this.whole(run, context)).output;
  }

  /** REST writes `inline` only when true; GraphQL always answers it. */
  @ResolveField('definition', () => RunDefinitionRef)
  definition(@Parent() run: RunParent): RunDefinitionRef {
    const ref: { name: string; version: number | null; inline?: boolean } = run.definition;
    return { name: ref.name, version: ref.version, inline: ref.inline === true };
  }

  private async whole(run: RunParent, context: GraphqlContext): Promise<RunView> {
    if ('tasks' in run) return run;
    const loaded = await context.runs.load(run.id);
    if (!loaded) throw new NotFoundError(`run ${run.id} not found`);
    return loaded;
  }
}
