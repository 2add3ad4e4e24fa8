/** The label value every value past a {@link BoundedLabel}'s limit is counted under. */
export const OTHER_LABEL = 'other';

/**
 * Keeps a label's cardinality bounded: the first `limit` distinct values are used as they are,
 * later ones become `other`. Definition names and task types come from users; a label per value
 * would let a client that registers thousands of names blow up every series that carries it.
 * In practice both are a handful, far below the limit.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.limit) return OTHER_LABEL;
    this.seen.add(raw);
    return raw;
  }

  /** The values kept so far, in first-seen order. */
  values(): string[] {
    return [...this.seen];
  }
}
