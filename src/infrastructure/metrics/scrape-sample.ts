/** How long a scrape waits for a collector's query before it reports the value as unknown. */
export const COLLECT_TIMEOUT_MS = 2000;

/**
 * One sample per scrape shared by the gauges it feeds: prom-client calls every collector of a
 * scrape at once, so the first call starts `take` and the others, made while it runs, reuse it.
 * A sample that fails or takes longer than `timeoutMs` rejects; callers report it as unknown.
 */
export function scrapeSample<T>(take: () => Promise<T>, timeoutMs = COLLECT_TIMEOUT_MS): () => Promise<T> {
  let current: Promise<T> | null = null;
  return () => {
    current ??= withTimeout(take(), timeoutMs).finally(() => {
      current = null;
    });
    return current;
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
