import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../scalars/date-time.scalar.js';
import { JsonScalar } from '../scalars/json.scalar.js';
import { CompensationStatusEnum, RunStatusEnum, TaskStatusEnum } from './status-enums.js';

/**
 * The run of docs/contract.md#rest-api as GraphQL types. Resolvers return the REST views
 * (`application/queries/run-view.ts`) unchanged; these classes only describe them.
 */

@ObjectType({ description: 'The definition a run runs: a registered version, or inline.' })
export class RunDefinitionRef {
  @Field(() => String)
  name!: string;

  @Field(() => Int, { nullable: true, description: 'null for an inline definition' })
  version!: number | null;

  @Field(() => Boolean, { description: 'true when the definition was given inline with the run' })
  inline!: boolean;
}

@ObjectType()
export class RunError {
  @Field(() => String, { nullable: true })
  taskKey!: string | null;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class TaskError {
  @Field(() => String)
  message!: string;

  @Field(() => String, { nullable: true, description: 'retryable, non_retryable, timeout, template, …' })
  code?: string;
}

@ObjectType()
export class Compensation {
  @Field(() => CompensationStatusEnum)
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => JsonScalar, { nullable: true })
  output!: unknown;

  @Field(() => TaskError, { nullable: true })
  error!: TaskError | null;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: string | null;
}

@ObjectType()
export class Task {
  @Field(() => String)
  key!: string;

  @Field(() => String, { nullable: true })
  type!: string | null;

  @Field(() => [String])
  dependsOn!: string[];

  @Field(() => TaskStatusEnum)
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => JsonScalar, { nullable: true })
  output!: unknown;

  @Field(() => TaskError, { nullable: true })
  error!: TaskError | null;

  @Field(() => DateTimeScalar, { nullable: true })
  queuedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: string | null;

  @Field(() => Compensation, { nullable: true })
  compensation!: Compensation | null;
}

/** `input`, `output` and `tasks` are resolved by `RunFieldsResolver` (list items lack them). */
@ObjectType()
export class Run {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'the namespace the run belongs to' })
  namespace!: string;

  @Field(() => RunDefinitionRef)
  definition!: RunDefinitionRef;

  @Field(() => RunStatusEnum)
  status!: string;

  @Field(() => Int, { nullable: true, description: 'priority given at start; overrides task priorities' })
  priority!: number | null;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field(() => RunError, { nullable: true })
  error!: RunError | null;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: string | null;
}

@ObjectType({ description: 'A page of runs, newest first.' })
export class RunConnection {
  @Field(() => [Run])
  items!: Run[];

  @Field(() => String, { nullable: true, description: 'pass as `after` for the next page; null on the last' })
  nextCursor!: string | null;
}
