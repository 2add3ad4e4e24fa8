/** Application-level failures that interfaces map to status codes. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The actor may not do this (beyond what the policy table decides by role). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** A payload over a configured size (docs/security.md#limits-and-hostile-input): 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** RabbitMQ did not take a message a command had to publish at once (a dead-letter replay): 503. */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

/** The engine is past capacity (docs/operations.md#overload): 503 with `Retry-After`. */
export class OverloadedError extends Error {
  override readonly name = 'OverloadedError';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
