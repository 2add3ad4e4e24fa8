import { DomainValidationError } from '../domain/shared/domain-error.js';

/**
 * Who sends a command or query, and in which namespace (docs/architecture.md#actors). Every
 * command and query carries one; handlers decide with it, transports only attach it.
 */
export interface Actor {
  /** Stable id of the caller: a user, an API key, or this installation's local administrator. */
  readonly principal: string;
  /** The namespace the command acts in; definitions and runs belong to exactly one. */
  readonly namespace: string;
  readonly roles: readonly ActorRole[];
  /**
   * Every namespace the caller's credential grants (`'*'`: all); absent means `namespace` only.
   * Only what a caller may hand on (an API key it creates) looks at it.
   */
  readonly grants?: readonly string[] | '*';
}

/** The roles of docs/contract.md#security-and-tenancy, lowest first. */
export const ACTOR_ROLES = ['worker', 'viewer', 'operator', 'admin'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export const DEFAULT_NAMESPACE = 'default';

/** A namespace name: `[a-z0-9][a-z0-9-]{0,62}` (docs/contract.md#security-and-tenancy). */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isNamespaceName(value: unknown): value is string {
  return typeof value === 'string' && NAMESPACE_PATTERN.test(value);
}

/**
 * The namespace a request names (`Sagaflow-Namespace` header, `/ws` frame `namespace` field,
 * graphql-ws `connection_init.payload.namespace`); absent means `default`. A malformed name is
 * a validation error naming `path`.
 */
export function parseNamespace(raw: unknown, path = 'namespace'): string {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_NAMESPACE;
  if (!isNamespaceName(raw)) {
    throw new DomainValidationError([{ path, message: 'must match [a-z0-9][a-z0-9-]{0,62}' }]);
  }
  return raw;
}

const LOCAL_ADMIN: Actor = Object.freeze({
  principal: 'local-admin',
  namespace: DEFAULT_NAMESPACE,
  roles: Object.freeze(['admin'] as const),
  grants: '*',
});

/**
 * The installation's own administrator in `namespace`: what every request acts as with auth
 * off, and what roles that act on their own (timers, results) use. Transports reach actors
 * through `actorOf` (src/interfaces/identity).
 */
export function localAdmin(namespace: string = DEFAULT_NAMESPACE): Actor {
  if (namespace === DEFAULT_NAMESPACE) return LOCAL_ADMIN;
  return Object.freeze({ ...LOCAL_ADMIN, namespace });
}
