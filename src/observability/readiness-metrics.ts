// Readiness as gauges, read when Prometheus scrapes: the same evaluation /readyz makes, so a replica
// that answers /readyz 503 (out of rotation: it gets no hook calls) is seen and alerted on while its
// /metrics still answers. The `up` series only says the scrape worked.
import { Gauge, type Registry } from 'prom-client';
import { bounded } from './model-metrics.js';

/** What the gauges read: readiness and its checks (src/health/readiness.ts), evaluated on demand. */
export type ReadinessSource = () => Promise<{ ready: boolean; checks: readonly { name: string; ok: boolean }[] }>;

/** Both gauges are collected in one scrape: the checks (a database probe among them) are asked once for it. */
const SAME_SCRAPE_MS = 1000;

export function registerReadinessGauges(registry: Registry, source: () => ReadinessSource | undefined): void {
  let last: { at: number; result: ReturnType<ReadinessSource> } | undefined;
  const evaluate = (): ReturnType<ReadinessSource> | undefined => {
    const read = source();
    if (read === undefined) return undefined;
    const now = performance.now();
    if (last === undefined || now - last.at > SAME_SCRAPE_MS) {
      // A check that throws is a replica that cannot say it is ready.
      last = { at: now, result: read().catch(() => ({ ready: false, checks: [{ name: 'readiness', ok: false }] })) };
    }
    return last.result;
  };
  const registers = [registry];

  new Gauge({
    name: 'vigil_ready',
    help: '1 while this replica is ready (/readyz answers 200), 0 while it is not and gets no hook calls (vigil_readiness_check says which check fails)',
    registers,
    async collect() {
      const result = await evaluate();
      if (result !== undefined) this.set(result.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vigil_readiness_check',
    help: 'Each /readyz check, by name (configuration, model, audit, redis, postgres, shutdown, ...): 1 passing, 0 failing',
    labelNames: ['check'] as const,
    registers,
    async collect() {
      const result = await evaluate();
      this.reset();
      for (const c of result?.checks ?? []) this.set({ check: bounded(c.name) }, c.ok ? 1 : 0);
    },
  });
}
