import type { ActorRole } from '../actor.js';
import type { ApiKeyRecord } from '../ports/api-key-store.js';
import { formatRateBudget } from '../rate-budget.js';

/** An API key as answered: everything but the secret, which is never stored. */
export interface ApiKeyView {
  id: string;
  name: string;
  namespace: string;
  roles: ActorRole[];
  /** `["*"]` grants every namespace. */
  namespaces: string[];
  expiresAt: string | null;
  rateLimit: string | null;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** The answer to a create: the view and, this once, the key itself. */
export interface CreatedApiKeyView extends ApiKeyView {
  key: string;
}

export function apiKeyView(record: ApiKeyRecord): ApiKeyView {
  return {
    id: record.id,
    name: record.name,
    namespace: record.namespace,
    roles: [...record.roles],
    namespaces: record.namespaces === '*' ? ['*'] : [...record.namespaces],
    expiresAt: record.expiresAt?.toISOString() ?? null,
    rateLimit: record.rateLimit === null ? null : formatRateBudget(record.rateLimit),
    createdBy: record.createdBy,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
  };
}
