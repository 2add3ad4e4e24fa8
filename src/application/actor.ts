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
}

export type ActorRole = 'admin';

export const DEFAULT_NAMESPACE = 'default';

const LOCAL_ADMIN: Actor = Object.freeze({
  principal: 'local-admin',
  namespace: DEFAULT_NAMESPACE,
  roles: Object.freeze(['admin'] as const),
});

/**
 * The one actor there is until identities exist: the administrator of the default namespace.
 * The only place an actor is made; transports reach it through `actorOf` (src/interfaces/identity),
 * roles that act on their own (timers, results) call it directly.
 */
export function localAdmin(): Actor {
  return LOCAL_ADMIN;
}
