import Type, { type Static } from 'typebox';

/** One dependency's check, as terminus reports it (docs/operations.md#health); it may add fields. */
export const HealthIndicator = Type.Object(
  { status: Type.Union([Type.Literal('up'), Type.Literal('degraded'), Type.Literal('down')]) },
  { additionalProperties: true },
);

const Indicators = Type.Record(Type.String(), HealthIndicator, {
  description: 'by dependency: postgres, rabbitmq, redis, postgres_replica_N',
});

/** `/health/live` and `/health/ready` (docs/contract.md#health-and-metrics). */
export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
    info: Indicators,
    error: Indicators,
    details: Indicators,
  },
  { additionalProperties: false },
);
export type Health = Static<typeof Health>;
