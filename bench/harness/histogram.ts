/** Latencies in microseconds, in log buckets of about 1.1% (64 per power of two). */
export class Histogram {
  private static readonly PER_OCTAVE = 64;
  private readonly counts = new Float64Array(40 * Histogram.PER_OCTAVE);
  count = 0;

  record(micros: number): void {
    const index = micros <= 1 ? 0 : Math.floor(Math.log2(micros) * Histogram.PER_OCTAVE);
    this.counts[Math.min(index, this.counts.length - 1)]!++;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
  }

  /** The value at quantile `q` (0-1), in microseconds (the bucket's middle). */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return 2 ** ((i + 0.5) / Histogram.PER_OCTAVE);
    }
    return NaN;
  }
}
