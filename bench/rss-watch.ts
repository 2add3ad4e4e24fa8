/**
 * RSS of a set of processes sampled every second (W5, overload.ts), and whether it was still
 * growing in the last third of a window: a least-squares slope over those samples, "growing"
 * when the rise it fits over that third is more than GC noise (5 MB, or 2% of the RSS).
 */
import { procRssMb } from './processes.js';
import { round } from './stats.js';

interface Sample {
  at: number;
  mb: number;
}

export class RssWatch {
  private readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: readonly number[]) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  private sample(): void {
    const values = this.pids.map(procRssMb).filter((mb): mb is number => mb !== null);
    // A process that has gone would make the sum drop; the crash is reported on its own.
    if (values.length === this.pids.length) {
      this.samples.push({ at: Date.now(), mb: values.reduce((a, b) => a + b, 0) });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** RSS (summed over the processes) at the start, maximum and end of [from, to], epoch ms. */
  figures(from: number, to: number) {
    const inWindow = this.samples.filter((s) => s.at >= from - 1000 && s.at <= to + 1000);
    if (inWindow.length < 3) return null;
    const cut = from + ((to - from) * 2) / 3;
    const last = inWindow.filter((s) => s.at >= cut);
    const slopePerMs = slope(last);
    const rise = slopePerMs * (to - cut);
    const atCut = last[0]?.mb ?? inWindow.at(-1)!.mb;
    return {
      samples: inWindow.length,
      start: round(inWindow[0]!.mb, 1),
      max: round(Math.max(...inWindow.map((s) => s.mb)), 1),
      end: round(inWindow.at(-1)!.mb, 1),
      slopeMbPerMinLastThird: round(slopePerMs * 60_000, 2),
      growingInLastThird: rise > Math.max(5, 0.02 * atCut),
    };
  }
}

function slope(samples: Sample[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const meanT = samples.reduce((a, s) => a + s.at, 0) / n;
  const meanM = samples.reduce((a, s) => a + s.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - meanT) * (s.mb - meanM);
    den += (s.at - meanT) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
