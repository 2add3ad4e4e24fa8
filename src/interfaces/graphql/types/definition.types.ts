import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { DateTimeScalar } from '../scalars/date-time.scalar.js';
import { EXPECTED_TASKS, listOf } from '../limits/cost.js';
import { JsonScalar } from '../scalars/json.scalar.js';

/** A registered definition as REST returns it (docs/contract.md#workflow-definitions, #rest-api), every default applied. */

@ObjectType()
export class RetryPolicy {
  @Field(() => Int)
  maxAttempts!: number;

  @Field(() => Int)
  initialIntervalMs!: number;

  @Field(() => Float)
  backoffCoefficient!: number;

  @Field(() => Int)
  maxIntervalMs!: number;

  @Field(() => Float)
  jitter!: number;
}

@ObjectType()
export class CompensationDefinition {
  @Field(() => String)
  type!: string;

  @Field(() => JsonScalar, { nullable: true })
  input!: unknown;

  @Field(() => RetryPolicy)
  retry!: RetryPolicy;

  @Field(() => Int)
  timeoutMs!: number;

  @Field(() => Int)
  queueTimeoutMs!: number;

  @Field(() => Int)
  priority!: number;

  @Field(() => String)
  idempotencyKey!: string;
}

@ObjectType()
export class TaskDefinition {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  type!: string;

  @Field(() => [String])
  dependsOn!: string[];

  @Field(() => JsonScalar, { nullable: true })
  input!: unknown;

  @Field(() => RetryPolicy)
  retry!: RetryPolicy;

  @Field(() => Int)
  timeoutMs!: number;

  @Field(() => Int)
  queueTimeoutMs!: number;

  @Field(() => Int)
  priority!: number;

  @Field(() => String)
  idempotencyKey!: string;

  @Field(() => CompensationDefinition, { nullable: true })
  compensation!: CompensationDefinition | null;
}

@ObjectType({
  description:
    'A remark on a registered definition that did not stop it (docs/contract.md#workflow-definitions).',
})
export class DefinitionWarning {
  @Field(() => String, {
    description: 'JSON path into the definition, as in validation errors, e.g. tasks[2].type',
  })
  path!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class Definition {
  @Field(() => String, { description: 'the namespace the definition belongs to' })
  namespace!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [TaskDefinition], { complexity: listOf(EXPECTED_TASKS) })
  tasks!: TaskDefinition[];

  @Field(() => JsonScalar, { nullable: true, description: 'template of the run output' })
  output!: unknown;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => [DefinitionWarning], {
    nullable: true,
    description:
      'Only on registerDefinition, and only when non-empty: tasks whose type no live worker serves; null otherwise.',
  })
  warnings?: DefinitionWarning[];
}
