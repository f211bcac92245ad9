import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/*
 * Scrapes are read with parse-prometheus-text-format, a parser that does not
 * share code with prom-client (it ports the Prometheus Python client's
 * parser and throws on a malformed line), so a bad exposition fails here
 * rather than being read back by the library that wrote it.
 *
 * Its one gap: it folds every series of a histogram into one sample and
 * drops their labels. So the text is parsed twice: as served (syntax, family
 * types), and with histograms declared `untyped`, which makes each
 * `_bucket`/`_sum`/`_count` series a sample of its own with its labels.
 */

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value?: string;
  readonly buckets?: Readonly<Record<string, string>>;
  readonly count?: string;
  readonly sum?: string;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly metrics: readonly Sample[];
}

export function parseScrape(text: string): Map<string, Family> {
  const typed = parsePrometheusTextFormat(text) as Family[];
  const histograms = new Set(typed.filter((f) => f.type === 'HISTOGRAM').map((f) => f.name));
  const series = parsePrometheusTextFormat(text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped')) as Family[];
  // A series name recurs once per label set (prom-client writes each set's buckets, sum and count together).
  const byName = new Map<string, { metrics: Sample[] }>();
  for (const f of series) {
    const seen = byName.get(f.name) ?? { metrics: [] };
    seen.metrics.push(...f.metrics);
    byName.set(f.name, seen);
  }
  return new Map(
    typed.map((f) => {
      // A histogram's samples: one per label set, from its `_count` series, with `count` and `sum`.
      const metrics = histograms.has(f.name)
        ? (byName.get(`${f.name}_count`)?.metrics ?? []).map((c) => ({
            labels: c.labels ?? {},
            count: c.value,
            sum: byName.get(`${f.name}_sum`)?.metrics.find((s) => sameLabels(s.labels ?? {}, c.labels ?? {}))?.value,
          }))
        : f.metrics.map((m) => ({ ...m, labels: m.labels ?? {} }));
      return [f.name, { ...f, metrics }];
    }),
  );
}

const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

const matches = (sample: Sample, labels: Record<string, string>) => Object.entries(labels).every(([k, v]) => sample.labels[k] === v);

/** A counter's or gauge's value summed over the samples carrying `labels`. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name} in the scrape`);
  return family.metrics.filter((m) => matches(m, labels)).reduce((n, m) => n + Number(m.value), 0);
}

/** A histogram's observation count summed over the samples carrying `labels`. */
export function countOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name} in the scrape`);
  return family.metrics.filter((m) => matches(m, labels)).reduce((n, m) => n + Number(m.count), 0);
}

/** Every label value of every sample (cardinality checks). */
export function labelValues(families: Map<string, Family>): string[] {
  return [...families.values()].flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels)));
}
