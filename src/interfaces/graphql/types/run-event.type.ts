import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../scalars/date-time.scalar.js';
import { JsonScalar } from '../scalars/json.scalar.js';

/** One recorded state change of a run (docs/contract.md#rest-api); run-level events have no task key or attempt. */
@ObjectType()
export class RunEvent {
  @Field(() => Int)
  seq!: number;

  @Field(() => String)
  type!: string;

  @Field(() => String, { nullable: true })
  taskKey!: string | null;

  @Field(() => Int, { nullable: true })
  attempt!: number | null;

  @Field(() => DateTimeScalar)
  at!: string;

  @Field(() => JsonScalar, { nullable: true })
  data!: unknown;
}
