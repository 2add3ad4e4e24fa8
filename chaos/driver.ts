/**
 * The chaos load driver: starts runs through the api instances' REST API as a client would,
 * each with its own `Idempotency-Key`, retrying a start that got no answer or a 5xx on another
 * instance until one accepts it. A run counts as accepted once an api answered 2xx for it: the
 * checker's "runs lost" are accepted runs PostgreSQL does not have.
 */

export interface Accepted {
  id: string;
  input: { d: 'ok' | 'fail' };
}

export interface DriverOptions {
  apis: () => string[];
  apiKey: string;
  definition: string;
  runs: number;
  /** Runs started per second. */
  rate: number;
  tag: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One REST call with a deadline; resolves with the status and parsed body, or null when no answer came. */
export async function call(
  url: string,
  apiKey: string,
  init: { method: string; body?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; body: unknown } | null> {
  try {
    const response = await fetch(url, {
      method: init.method,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text for the message.
    }
    return { status: response.status, body };
  } catch {
    return null;
  }
}

/** Retries `attempt` on other instances until an api answers 2xx; a 4xx other than 429 is a bug and throws. */
export async function untilAccepted(
  apis: () => string[],
  what: string,
  attempt: (api: string) => Promise<{ status: number; body: unknown } | null>,
): Promise<unknown> {
  for (let i = 0; ; i++) {
    const list = apis();
    const api = list[i % list.length]!;
    const answer = await attempt(api);
    if (answer !== null && answer.status >= 200 && answer.status < 300) return answer.body;
    if (answer !== null && answer.status >= 400 && answer.status < 500 && answer.status !== 429) {
      throw new Error(`${what}: ${api} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await sleep(Math.min(2_000, 100 * 2 ** Math.min(i, 4)) + Math.random() * 200);
  }
}

/** Starts `runs` runs at `rate` per second; resolves with every accepted run once all are accepted. */
export async function drive(options: DriverOptions): Promise<{ accepted: Accepted[]; retried: number }> {
  const accepted: Accepted[] = [];
  let retried = 0;
  const started = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < options.runs; i++) {
    const due = started + (i * 1000) / options.rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const input = { d: i % 3 === 0 ? ('fail' as const) : ('ok' as const) };
    const key = `chaos-${options.tag}-${i}`;
    let tries = 0;
    pending.push(
      untilAccepted(options.apis, `start ${key}`, (api) => {
        tries += 1;
        if (tries > 1) retried += 1;
        return call(`${api}/v1/runs`, options.apiKey, {
          method: 'POST',
          headers: { 'idempotency-key': key },
          body: { definition: options.definition, input },
        });
      }).then((body) => {
        accepted.push({ id: (body as { id: string }).id, input });
      }),
    );
  }
  await Promise.all(pending);
  return { accepted, retried };
}
