import Type, { type Static } from 'typebox';
import { ACTOR_ROLES, NAMESPACE_PATTERN } from '../../actor.js';
import { Namespace, NOT_AN_OBJECT, Nullable, Timestamp } from './common.js';

export const MAX_API_KEY_NAME = 100;
export const GRANTED_NAMESPACES_MESSAGE = `must be ["*"] or a non-empty array of names matching ${NAMESPACE_PATTERN.source.slice(1, -1)}`;

/** API keys (docs/security.md#api-keys): created, listed and revoked by admins of a namespace. */

const Role = Type.Enum(ACTOR_ROLES, { type: 'string' });

const GrantedNamespaces = Type.Array(Type.String({ pattern: `(${NAMESPACE_PATTERN.source})|^\\*$` }), {
  minItems: 1,
  description: '`["*"]` grants every namespace',
  examples: [['team-a']],
});

const RateLimit = Type.String({
  pattern: '^[1-9][0-9]{0,6}/([1-9][0-9]{0,3})?[smh]$',
  description: '`<n>/<window>`: at most n requests per window (s, m or h); overrides SAGAFLOW_RATE_LIMIT',
  examples: ['100/1m'],
});

/** The body of `POST /v1/api-keys`; each `errorMessage` is the issue a bad value gets. */
export const CreateApiKeyRequest = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: MAX_API_KEY_NAME,
      pattern: '\\S',
      examples: ['billing-service'],
      errorMessage: `must be a non-empty string of at most ${MAX_API_KEY_NAME} characters`,
    }),
    roles: Type.Array(Role, {
      minItems: 1,
      errorMessage: `must be a non-empty array of ${ACTOR_ROLES.join(', ')}`,
    }),
    namespaces: Type.Optional({
      ...GrantedNamespaces,
      description:
        'omitted: the namespace the key is created in; `["*"]` only from a credential of every namespace',
      errorMessage: GRANTED_NAMESPACES_MESSAGE,
    }),
    expiresAt: Type.Optional(
      Nullable({
        ...Timestamp,
        description: 'omitted or null: never expires',
        errorMessage: 'must be an ISO-8601 date-time',
      }),
    ),
    rateLimit: Type.Optional(
      Nullable({ ...RateLimit, errorMessage: 'must be "<n>/<window>", for example "100/1m" (s, m or h)' }),
    ),
  },
  { additionalProperties: false, errorMessage: NOT_AN_OBJECT },
);
export type CreateApiKeyRequest = Static<typeof CreateApiKeyRequest>;

const apiKeyFields = {
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  namespace: { ...Namespace, description: 'the namespace it was created in, where it is listed and revoked' },
  roles: Type.Array(Role),
  namespaces: GrantedNamespaces,
  expiresAt: Nullable(Timestamp),
  rateLimit: Nullable(RateLimit),
  createdBy: Type.String({ description: 'the principal that created it' }),
  createdAt: Timestamp,
  lastUsedAt: Nullable({ ...Timestamp, description: 'to the minute' }),
};

export const ApiKey = Type.Object(apiKeyFields, {
  additionalProperties: false,
  description: 'An API key without its secret, which is never stored.',
});
export type ApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Object(
  { ...apiKeyFields, key: Type.String({ description: 'the key itself: shown this once, never again' }) },
  { additionalProperties: false, description: 'A new API key, with the key shown this once.' },
);
export type CreatedApiKey = Static<typeof CreatedApiKey>;

export const ApiKeyList = Type.Object({ items: Type.Array(ApiKey) }, { additionalProperties: false });

export const ApiKeyIdParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'an unknown, revoked or foreign id is a 404' }),
});
