/** A request budget: at most `limit` requests per `windowMs` (docs/security.md#rate-limits). */
export interface RateBudget {
  readonly limit: number;
  readonly windowMs: number;
}

const WINDOW_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };
/** `<n>/<window>`: `100/1m`, `5/10s`, `1000/1h`. */
const RATE_BUDGET = /^([1-9]\d{0,6})\/([1-9]\d{0,3})?([smh])$/;

/** Reads `<n>/<window>` (SAGAFLOW_RATE_LIMIT, an API key's `rateLimit`) as a budget; null when malformed. */
export function parseRateBudget(text: string): RateBudget | null {
  const match = RATE_BUDGET.exec(text);
  if (!match) return null;
  return { limit: Number(match[1]), windowMs: Number(match[2] ?? 1) * WINDOW_UNITS[match[3]!]! };
}

/** Writes a budget back as `<n>/<window>` in the largest unit that divides it. */
export function formatRateBudget(budget: RateBudget): string {
  const [unit, ms] = Object.entries(WINDOW_UNITS)
    .reverse()
    .find(([, size]) => budget.windowMs % size === 0)!;
  return `${budget.limit}/${budget.windowMs / ms}${unit}`;
}
