// Figures the soak prints: percentiles per route and the slope of a sampled series.
export class Latencies {
  private readonly byRoute = new Map<string, number[]>();
  add(route: string, ms: number) { let a = this.byRoute.get(route); if (!a) this.byRoute.set(route, (a = [])); a.push(ms); }
  routes() { return [...this.byRoute.keys()].sort(); }
  count(route: string) { return this.byRoute.get(route)?.length ?? 0; }
  pct(route: string, p: number): number {
    const a = [...(this.byRoute.get(route) ?? [])].sort((x, y) => x - y);
    if (!a.length) return NaN;
    return a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))];
  }
}

/** Least-squares slope of y over x (per x unit). */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
