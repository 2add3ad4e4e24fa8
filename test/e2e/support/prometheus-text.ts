/** One sample of the Prometheus text format: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses an exposition (comments skipped); throws on a line it cannot read. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of one scrape, looked up by name and an exact label set. */
export class Scrape {
  constructor(readonly samples: Sample[]) {}

  static async of(baseUrl: string, headers: Record<string, string> = {}): Promise<Scrape> {
    const response = await fetch(`${baseUrl}/metrics`, { headers });
    if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
    return new Scrape(parseExposition(await response.text()));
  }

  /** The sample with exactly these labels; 0 when there is none (a counter not yet bumped). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.find(name, labels)?.value ?? 0;
  }

  find(name: string, labels: Record<string, string> = {}): Sample | undefined {
    const keys = Object.keys(labels);
    return this.samples.find(
      (s) =>
        s.name === name &&
        Object.keys(s.labels).length === keys.length &&
        keys.every((k) => s.labels[k] === labels[k]),
    );
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }
}
