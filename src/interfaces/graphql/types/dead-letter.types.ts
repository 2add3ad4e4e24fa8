import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../scalars/date-time.scalar.js';
import { JsonScalar } from '../scalars/json.scalar.js';

/** A dead-lettered message kept for inspection and replay (docs/operations.md#dead-letters). */
@ObjectType()
export class DeadLetter {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'the namespace of the run it names; null: none known' })
  namespace!: string | null;

  @Field(() => String, { description: 'the queue it died on; a replay publishes it there' })
  queue!: string;

  @Field(() => String, { description: 'why the broker dead-lettered it' })
  reason!: string;

  @Field(() => String, { nullable: true })
  messageId!: string | null;

  @Field(() => String, { nullable: true })
  runId!: string | null;

  @Field(() => String, { nullable: true })
  taskKey!: string | null;

  @Field(() => Int, { nullable: true })
  attempt!: number | null;

  @Field(() => DateTimeScalar)
  deadAt!: string;

  @Field(() => JsonScalar, { description: 'its AMQP headers, the death records included' })
  headers!: Record<string, unknown>;

  @Field(() => String, {
    description: '`json`: `body` is its JSON value; `base64`: its bytes, which are not JSON',
  })
  bodyEncoding!: 'json' | 'base64';

  @Field(() => JsonScalar, { nullable: true })
  body!: unknown;
}

@ObjectType({ description: 'A page of dead letters, newest first.' })
export class DeadLetterConnection {
  @Field(() => [DeadLetter])
  items!: DeadLetter[];

  @Field(() => String, { nullable: true, description: 'pass as `after` for the next page; null on the last' })
  nextCursor!: string | null;
}
