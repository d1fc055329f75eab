// Gauges about the models in service, read from them when Prometheus scrapes (prom-client `collect`):
// which models run in which role and mode, a canary's share, a refused reload, and drift (PSI per
// input and for the score, missing-input rates) from each model's window. Nothing here runs on the
// request path, and a model replaced by a reload takes its series with it.
import { Gauge, type Registry } from 'prom-client';
import type { DriftReading } from '../models/drift.js';
import type { DeteriorationScorer } from '../models/scorer.js';

/** What the gauges read: the scorer's models and whether its last reload failed. */
export type ModelSource = Pick<DeteriorationScorer, 'monitor' | 'describe'>;

/** Label values from other modules are codes, but a label must never grow without bound. */
export const bounded = (value: string): string => (value.length <= 64 ? value : `${value.slice(0, 61)}...`);

export function registerModelGauges(registry: Registry, source: () => ModelSource | undefined): void {
  const registers = [registry];
  const monitors = () => source()?.monitor?.() ?? [];
  /** A gauge whose series are rebuilt from the models at every scrape. */
  const perModel = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (set: (labels: Record<L, string>, value: number) => void) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        fill((labels, value) => this.set(labels, value));
      },
    });

  perModel(
    'vigil_model_info',
    'The models in service: 1 per model, by role (primary, candidate), name, version and mode (primary: silent or active; candidate: silent or canary)',
    ['role', 'name', 'version', 'mode'],
    (set) => {
      for (const m of monitors()) set({ role: m.role, name: bounded(m.name), version: bounded(m.version), mode: m.mode }, 1);
    },
  );
  perModel(
    'vigil_model_canary_percent',
    "Share of patients (by keyed patient hash) a canary candidate serves in the primary's place, by its version",
    ['model_version'],
    (set) => {
      for (const m of monitors()) if (m.canaryPercent !== undefined) set({ model_version: bounded(m.version) }, m.canaryPercent);
    },
  );
  perModel(
    'vigil_model_drift_window_calls',
    "Calls in each model's drift window (VIGIL_DRIFT_WINDOW_CALLS at most; no PSI below VIGIL_DRIFT_MIN_CALLS)",
    ['model_version'],
    (set) => {
      for (const m of monitors()) if (m.drift !== undefined) set({ model_version: bounded(m.version) }, m.drift.calls);
    },
  );
  const perInput = (name: string, help: string, value: (r: DriftReading) => number | undefined) =>
    perModel(name, help, ['model_version', 'input'], (set) => {
      for (const m of monitors()) {
        for (const r of m.drift?.readings ?? []) {
          const v = value(r);
          if (v !== undefined) set({ model_version: bounded(m.version), input: r.input }, v);
        }
      }
    });
  perInput(
    'vigil_model_drift_psi',
    'Population stability index of each model input (input="score": the predicted probability) over the drift window, against the training population in the model\'s metadata; 0.1 warn, 0.25 act',
    (r) => r.psi,
  );
  perInput('vigil_model_input_missing_ratio', "Share of the drift window's calls where the input was not charted", (r) => r.missing);
  perInput(
    'vigil_model_input_missing_reference_ratio',
    "Share of the training population where the input was not charted (from the model's metadata)",
    (r) => r.referenceMissing,
  );

  // Read from the line-up, not from events: after a restart on a bad file it says 0 again, where the
  // reload-failing gauge (an event of the process before) is gone.
  perModel(
    'vigil_model_loaded',
    'Each configured model, by role (primary, candidate): 1 loaded and serving, 0 configured but not loaded (NEWS2 answers alone; /readyz says why). No series: no model configured',
    ['role'],
    (set) => {
      for (const m of source()?.describe().models ?? []) set({ role: m.role }, m.state === 'loaded' ? 1 : 0);
    },
  );

  new Gauge({
    name: 'vigil_model_reload_failing',
    help: '1 while the last model reload was refused (the previous models serve; /readyz says why), 0 otherwise',
    registers,
    collect() {
      this.set(source()?.describe().reloadFailure !== undefined ? 1 : 0);
    },
  });
}
