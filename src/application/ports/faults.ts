/**
 * Fault points (docs/failure-modes.md#fault-hooks): places where a crash or an error is worst,
 * named so tests can make one happen there. Compiled in everywhere, inert unless
 * SAGAFLOW_FAULTS arms them; an unarmed `at` is a resolved promise and nothing else.
 */
export const FAULT_POINTS = [
  /** api: the command committed, the HTTP answer not yet sent. */
  'api.after-commit-before-ack',
  /** relay: outbox rows published and confirmed, not yet deleted. */
  'relay.after-publish-before-mark',
  /** worker: the handler ran (its side effect happened), its result not yet published. */
  'worker.after-side-effect-before-report',
  /** orchestrator: a batch of results applied and committed, not yet acked. */
  'orchestrator.after-apply-before-ack',
  /** Any run write (start, apply, cancel, retry): committed, but the caller hears it failed. */
  'persistence.after-commit',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

export const FAULTS = Symbol('Faults');

export interface Faults {
  /** False when no point is armed: callers may skip the hook on hot paths. */
  readonly armed: boolean;
  /** Passes, throws an `InjectedFault`, waits and then throws, or ends the process. */
  at(point: FaultPoint): Promise<void>;
}

/** Thrown at an armed point: an error like any other to the code around it. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export const NO_FAULTS: Faults = Object.freeze({ armed: false, at: () => Promise.resolve() });
