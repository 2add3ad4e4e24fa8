/**
 * HTTP load for the read-side benchmark, in its own process so that it does not share the
 * event loop it measures: GETs `BENCH_URL` for `BENCH_SECONDS` over `BENCH_CONNECTIONS`
 * keep-alive connections and prints one JSON line.
 */
import autocannon from 'autocannon';

const result = await autocannon({
  url: process.env.BENCH_URL!,
  connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
  duration: Number(process.env.BENCH_SECONDS ?? 5),
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSec: result.requests.average,
    total: result.requests.total,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    non2xx: result.non2xx,
    errors: result.errors,
  })}\n`,
);
