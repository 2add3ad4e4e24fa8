import { GraphQLError, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';

export interface AliasLimits {
  /** Aliased fields in one document, fragments included. */
  maxAliases: number;
  /** Directives in one document. */
  maxDirectives: number;
}

/**
 * Rejects documents that repeat work by aliasing one field many times (`a1: run … a500: run`,
 * or thousands of `__typename`s the cost limit prices at nothing) or by piling up directives.
 * Counted over the whole document, so fragments cannot hide them; it runs with the standard
 * validation rules, so a rejected document never reaches a resolver.
 */
export function aliasLimitRule(limits: AliasLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let directives = 0;
    let reported = false;
    const report = (message: string) => {
      if (reported) return;
      reported = true;
      context.reportError(new GraphQLError(message));
    };
    return {
      Field(node) {
        if (node.alias && ++aliases > limits.maxAliases) {
          report(`the document uses more than ${limits.maxAliases} aliases`);
        }
      },
      Directive() {
        if (++directives > limits.maxDirectives) {
          report(`the document uses more than ${limits.maxDirectives} directives`);
        }
      },
    };
  };
}
