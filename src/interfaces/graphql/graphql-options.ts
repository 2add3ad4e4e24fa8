import { NoSchemaIntrospectionCustomRule, type GraphQLError, type ValidationRule } from 'graphql';

/** How the GraphQL interface runs (docs/security.md#transport-hardening). */
export interface GraphqlOptions {
  /**
   * `NODE_ENV=production`: no introspection, no GraphiQL, and no "Did you mean …?" in errors,
   * so the schema is not handed to whoever asks; over HTTP and graphql-ws alike.
   */
  readonly production: boolean;
}

export const GRAPHQL_OPTIONS = Symbol('GraphqlOptions');

/** Validation rules on top of the limits: in production, introspection is refused. */
export function modeRules(options: GraphqlOptions): readonly ValidationRule[] {
  return options.production ? [NoSchemaIntrospectionCustomRule] : [];
}

const SUGGESTION = / ?Did you mean .*\?$/;

/** A validation message without graphql-js' field, type or argument suggestions. */
export function withoutSuggestions(error: GraphQLError): string {
  return error.message.replace(SUGGESTION, '');
}
