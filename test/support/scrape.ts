/**
 * A Prometheus text scrape, parsed for tests: `value(name, labels)` is the sample whose name and
 * labels match exactly (0 when absent), `labelValues(name, label)` the values a label takes.
 */
export class Scrape {
  private readonly samples: { name: string; labels: Record<string, string>; value: number }[] = [];

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`Not a Prometheus sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1]!] = pair[2]!;
      }
      this.samples.push({ name: match[1]!, labels, value: Number(match[3]) });
    }
  }

  value(name: string, labels: Record<string, string> = {}): number {
    const keys = Object.keys(labels);
    const sample = this.samples.find(
      (s) =>
        s.name === name &&
        Object.keys(s.labels).length === keys.length &&
        keys.every((key) => s.labels[key] === labels[key]),
    );
    return sample?.value ?? 0;
  }

  labelValues(name: string, label: string): string[] {
    const values = this.samples.filter((s) => s.name === name).map((s) => s.labels[label] ?? '');
    return [...new Set(values)].sort();
  }

  /** Every metric name that has a `# TYPE` line. */
  names(): string[] {
    return [...this.text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  }
}

/** GETs a metrics endpoint and parses it. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return new Scrape(await response.text());
}
