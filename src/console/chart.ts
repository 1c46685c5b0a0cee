/**
 * A time-series chart as geometry for a server-rendered SVG: points bucketed to at most
 * `maxPoints` per series (the mean of each bucket, so a 6-hour window of 1-s heartbeats stays a
 * few hundred points), scaled into the plot box, with a nice y-axis.
 */
export interface Sample {
  at: number;
  values: (number | null)[];
}
export interface ChartGeometry {
  width: number;
  height: number;
  box: { left: number; top: number; right: number; bottom: number };
  /** Per series, the `points` attributes of its polylines (none when the series has no value): a gap in the data breaks the line into segments. */
  lines: string[][];
  /** The points themselves (per series) for markers and tests. */
  points: { x: number; y: number; value: number; at: number }[][];
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; at: number }[];
  yMax: number;
}

const niceMax = (value: number) => {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
};

export function chartGeometry(samples: Sample[], series: number, from: number, to: number, options: { maxPoints?: number; width?: number; height?: number; gapMs?: number } = {}): ChartGeometry {
  const width = options.width ?? 960;
  const height = options.height ?? 220;
  const box = { left: 40, top: 10, right: width - 10, bottom: height - 22 };
  const maxPoints = options.maxPoints ?? 240;
  const span = Math.max(1, to - from);
  const bucketMs = span / maxPoints;
  const gapMs = options.gapMs ?? Math.max(bucketMs * 3, 60_000);
  // Buckets: index → per-series sum and count.
  const buckets = new Map<number, { at: number; sums: number[]; counts: number[] }>();
  for (const s of samples) {
    if (s.at < from || s.at > to) continue;
    const index = Math.min(maxPoints - 1, Math.floor((s.at - from) / bucketMs));
    let bucket = buckets.get(index);
    if (!bucket) buckets.set(index, (bucket = { at: 0, sums: new Array(series).fill(0), counts: new Array(series).fill(0) }));
    bucket.at = Math.max(bucket.at, s.at);
    s.values.forEach((v, i) => {
      if (v !== null && Number.isFinite(v)) {
        bucket!.sums[i] += v;
        bucket!.counts[i]++;
      }
    });
  }
  const ordered = [...buckets.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
  let top = 0;
  for (const b of ordered) b.sums.forEach((sum, i) => b.counts[i] && (top = Math.max(top, sum / b.counts[i])));
  const yMax = niceMax(top * 1.1);
  const x = (at: number) => box.left + ((at - from) / span) * (box.right - box.left);
  const y = (value: number) => box.bottom - (value / yMax) * (box.bottom - box.top);
  const points: ChartGeometry['points'] = [];
  const lines: string[][] = [];
  for (let i = 0; i < series; i++) {
    const pts = ordered.filter((b) => b.counts[i] > 0).map((b) => ({ at: b.at, value: b.sums[i] / b.counts[i], x: x(b.at), y: y(b.sums[i] / b.counts[i]) }));
    points.push(pts);
    const segments: string[] = [];
    let current: string[] = [];
    pts.forEach((p, n) => {
      if (n > 0 && p.at - pts[n - 1].at > gapMs) {
        segments.push(current.join(' '));
        current = [];
      }
      current.push(`${p.x.toFixed(1)},${p.y.toFixed(1)}`);
    });
    if (current.length) segments.push(current.join(' '));
    lines.push(segments);
  }
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ y: y(yMax * f), label: String(Math.round(yMax * f * 100) / 100) }));
  const hour = 3_600_000;
  const step = span <= 2 * hour ? hour / 4 : span <= 8 * hour ? hour : span <= 48 * hour ? 6 * hour : 24 * hour;
  const xTicks: ChartGeometry['xTicks'] = [];
  for (let at = Math.ceil(from / step) * step; at <= to; at += step) xTicks.push({ x: x(at), at });
  return { width, height, box, lines, points, yTicks, xTicks, yMax };
}
