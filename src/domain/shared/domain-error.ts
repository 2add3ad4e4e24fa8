/** A path-named problem with input, e.g. `{ path: 'tasks[0].retry.maxAttempts', message: '...' }`. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Input that breaks a rule. Carries every problem found, each named by its JSON path. */
export class DomainValidationError extends Error {
  override readonly name = 'DomainValidationError';
  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

/** The run's state forbids the operation (cancel a finished run, retry a running one). */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError';
}

/** A status change the transition table does not allow: always a bug, never user input. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(what: string, from: string, to: string) {
    super(`illegal ${what} transition ${from} → ${to}`);
  }
}
