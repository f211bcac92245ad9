/** Median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The p-th percentile (0–100) of a sorted list, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Latencies collected as they come, in a growable Float64Array (no per-sample objects). */
export class Samples {
  #data = new Float64Array(1 << 16);
  #size = 0;

  add(value: number): void {
    if (this.#size === this.#data.length) {
      const next = new Float64Array(this.#data.length * 2);
      next.set(this.#data);
      this.#data = next;
    }
    this.#data[this.#size++] = value;
  }

  get size(): number {
    return this.#size;
  }

  /** p50 and p99, in the unit the samples were added in. */
  percentiles(): { p50: number; p99: number } {
    const sorted = this.#data.slice(0, this.#size).sort();
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}
