import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface DepthLimits {
  /** Deepest field path allowed below an operation's root (a root field is depth 1). */
  maxDepth: number;
  /**
   * The same for `__schema` / `__type` subtrees. Introspection's type references nest
   * `ofType` deeply (graphql 16's own introspection query is 15 deep), so the schema's
   * limit would lock out GraphiQL; its resolvers only walk the in-memory schema.
   */
  maxIntrospectionDepth: number;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/**
 * Rejects operations nested deeper than the limits, through fragments too. It runs with
 * the standard validation rules, so a rejected operation never reaches a resolver.
 * Fragment depths are memoised: a document of fragments that spread each other twice
 * per level would otherwise cost exponential time to measure.
 */
export function depthLimitRule(limits: DepthLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentDepths = new Map<string, number>();
    const visiting = new Set<string>();

    const fragmentDepth = (name: string): number => {
      const known = fragmentDepths.get(name);
      if (known !== undefined) return known;
      const fragment = context.getFragment(name);
      // Unknown and cyclic fragments are reported by the standard rules.
      if (!fragment || visiting.has(name)) return 0;
      visiting.add(name);
      const depth = depthOf(fragment.selectionSet);
      visiting.delete(name);
      fragmentDepths.set(name, depth);
      return depth;
    };

    const depthOf = (set: SelectionSetNode): number => {
      let deepest = 0;
      for (const selection of set.selections) {
        const depth =
          selection.kind === Kind.FIELD
            ? 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0)
            : selection.kind === Kind.INLINE_FRAGMENT
              ? depthOf(selection.selectionSet)
              : fragmentDepth(selection.name.value);
        deepest = Math.max(deepest, depth);
      }
      return deepest;
    };

    /** Root fields, found through root-level fragments (each looked at once). */
    const checkRoot = (set: SelectionSetNode, seen: Set<string>): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          checkRoot(selection.selectionSet, seen);
        } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = context.getFragment(selection.name.value);
          if (!fragment || seen.has(fragment.name.value)) continue;
          seen.add(fragment.name.value);
          checkRoot(fragment.selectionSet, seen);
        } else {
          const name = selection.name.value;
          const limit = INTROSPECTION_ROOTS.has(name) ? limits.maxIntrospectionDepth : limits.maxDepth;
          const depth = 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0);
          if (depth > limit) {
            context.reportError(
              new GraphQLError(
                `field "${name}" is nested ${depth} levels deep; at most ${limit} are allowed`,
                {
                  nodes: [selection],
                  extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
                },
              ),
            );
          }
        }
      }
    };

    return {
      OperationDefinition(operation) {
        checkRoot(operation.selectionSet, new Set());
        return false;
      },
    };
  };
}
