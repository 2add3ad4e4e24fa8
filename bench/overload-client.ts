/**
 * W5's client (overload.ts), in its own process: POSTs runs of `BENCH_DEFINITION` open-loop at
 * `BENCH_RATE` runs/s to `BENCH_URL` for `BENCH_SECONDS`, whatever the answers are. Unlike
 * load-client.ts it does not stop on a non-201: it counts 201, 429, 503, other statuses and
 * errors (no answer within `BENCH_TIMEOUT_MS`, refused connections) and the latency of each.
 * At most `BENCH_MAX_INFLIGHT` requests are open at once; a request due while that many are
 * open is not sent and counted as client-shed, so a server that stops answering cannot make the
 * client itself the bottleneck (or run it out of sockets). Prints one JSON line once every sent
 * request has settled.
 */
import { round, summary } from './stats.js';

const url = `${process.env.BENCH_URL!}/v1/runs`;
const rate = Number(process.env.BENCH_RATE);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const maxInflight = Number(process.env.BENCH_MAX_INFLIGHT ?? 2000);
const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 30_000);
const body = JSON.stringify({ definition: process.env.BENCH_DEFINITION ?? 'chain3' });

type Outcome = '201' | '429' | '503' | 'other' | 'error';
const latencies: Record<Outcome, number[]> = { '201': [], '429': [], '503': [], other: [], error: [] };
/** 201 latencies by third of the window (by send time), to show whether latency keeps growing. */
const thirds: number[][] = [[], [], []];
const otherStatuses: Record<string, number> = {};
const retryAfterS: number[] = [];
let inflight = 0;
let peakInflight = 0;
let sent = 0;
let clientShed = 0;

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterSeconds(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  if (Number.isFinite(n)) return n;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

async function post(sentAt: number): Promise<void> {
  const began = performance.now();
  let outcome: Outcome;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    const status = String(response.status);
    outcome = status === '201' || status === '429' || status === '503' ? status : 'other';
    if (outcome === 'other') otherStatuses[status] = (otherStatuses[status] ?? 0) + 1;
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    if (retryAfter !== null) retryAfterS.push(retryAfter);
  } catch {
    outcome = 'error';
  }
  const ms = performance.now() - began;
  latencies[outcome].push(ms);
  if (outcome === '201') thirds[Math.min(2, Math.floor((sentAt / (seconds * 1000)) * 3))]!.push(ms);
}

const startedAt = Date.now();
const begin = performance.now();
const pending = new Set<Promise<void>>();
const intervalMs = 10;
let due = 0;
for (;;) {
  const elapsed = performance.now() - begin;
  if (elapsed >= seconds * 1000) break;
  const target = Math.floor((elapsed / 1000) * rate);
  for (; due < target; due++) {
    if (inflight >= maxInflight) {
      clientShed += 1;
      continue;
    }
    sent += 1;
    inflight += 1;
    peakInflight = Math.max(peakInflight, inflight);
    const p = post(elapsed).finally(() => {
      inflight -= 1;
      pending.delete(p);
    });
    pending.add(p);
  }
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
const endedAt = Date.now();
await Promise.all(pending);

const classes = Object.fromEntries(
  Object.entries(latencies).map(([k, v]) => [k, { count: v.length, ...summaryMs(v) }]),
);
const sortedRetryAfter = [...retryAfterS].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    startedAt,
    endedAt,
    settledAt: Date.now(),
    offered: due,
    sent,
    clientShed,
    peakInflight,
    classes,
    otherStatuses,
    latency201P50ByThirdMs: thirds.map((t) => summaryMs(t).p50Ms),
    retryAfter: {
      count: retryAfterS.length,
      medianS:
        sortedRetryAfter.length > 0 ? sortedRetryAfter[Math.floor(sortedRetryAfter.length / 2)]! : null,
    },
  })}\n`,
);

function summaryMs(values: number[]): { p50Ms: number; p99Ms: number } {
  const { p50, p99 } = summary(values);
  return { p50Ms: round(p50, 1), p99Ms: round(p99, 1) };
}
