// Turning what a benchmark recorded into chart rows: completion times into a rate over time,
// sample lists into distribution rows, figure pairs into bars.
import type { Bar, RatePoint, Sample } from './chart.ts';

/**
 * The rate of completions over time: `at` holds each completion's time (ms, any clock), `startMs`
 * the series' start on the same clock; one point per bucket (default 1 s), at the bucket's end,
 * its completions over its length. The last bucket ends at the last completion; shorter than half
 * a bucket, it is folded into the one before (so that one late completion is no spike).
 */
export function ratePoints(series: string, at: number[], startMs: number, bucketMs = 1000): RatePoint[] {
  if (at.length === 0) return [];
  const last = Math.max(1, ...at.map((t) => t - startMs));
  const buckets = Array.from({ length: Math.ceil(last / bucketMs) }, (_, i) => ({
    start: i * bucketMs,
    end: Math.min(last, (i + 1) * bucketMs),
    count: 0,
  }));
  const tail = buckets.at(-1);
  if (buckets.length > 1 && tail && tail.end - tail.start < bucketMs / 2) {
    buckets.pop();
    (buckets.at(-1) as { end: number }).end = tail.end;
  }
  for (const t of at) {
    const i = Math.min(buckets.length - 1, Math.max(0, Math.floor((t - startMs) / bucketMs)));
    (buckets[i] as { count: number }).count++;
  }
  return buckets.map((b) => ({
    series,
    seconds: b.end / 1000,
    perSecond: b.count / ((b.end - b.start) / 1000),
  }));
}

/** Distribution rows of one series (in one panel, if a group is given). */
export function samples(series: string, values: number[], group?: string): Sample[] {
  return values.map((value) => (group === undefined ? { series, value } : { series, value, group }));
}

/** Bars for one metric: a value per series, in the order given. */
export function bars(metric: string, values: Record<string, number>): Bar[] {
  return Object.entries(values).map(([series, value]) => ({ metric, series, value }));
}
