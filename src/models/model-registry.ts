// The models in service, as one DeteriorationScorer: the primary model (VIGIL_MODEL_PATH, in
// VIGIL_MODEL_MODE) and optionally a candidate beside it (VIGIL_CANDIDATE_MODEL_PATH), in shadow or
// as a canary for a share of patients chosen by the keyed patient hash. The line-up is one immutable
// object behind one reference: a reload builds the next line-up completely (files read, sessions
// created, contract and self-check passed, the rules below checked) and then swaps the reference, so
// a call sees one line-up from start to end, and a model that fails leaves the previous one serving.
//
// The rules a line-up must meet, at start-up and on every reload:
// - a model trained on synthetic data is never shown outside the development profile (a canary is
//   shown exactly when the primary would be: it takes the primary's mode for its patients);
// - the candidate is another version than the primary (their metrics and records are told apart by version).
// At start-up a breach stops Vigil (ConfigError); on a reload it is refused and the old line-up kept.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import { ConfigError, type Config } from '../config.js';
import { createRulesScorer } from './rules-scorer.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import { noTelemetry, type Telemetry } from '../telemetry.js';
import type { DriftSettings } from './drift.js';
import { createModelRunner, type ModelAnswer, type ModelRunner, type ModelScorerSettings, type ScorerLog } from './model-runner.js';
import { composeAssessment, modelRecord, notLoadedAssessment } from './model-scorer.js';
import { primaryNotLoadedVerdict } from './not-loaded-policy.js';
import { loadOnnxModelBytes, ModelLoadError, readModelFile, type LoadedModel } from './onnx-model.js';
import type {
  AssessContext,
  CandidateMode,
  DeteriorationScorer,
  ModelDescription,
  ModelMode,
  ModelMonitor,
  ModelRole,
  ReloadFailure,
  RiskAssessment,
  ScorerDescription,
} from './scorer.js';
import { withFields } from '../lang/with-fields.js';

/** The reloadable part of the configuration: which model files, in which modes. */
export interface ModelSettings {
  /** Undefined: no model (VIGIL_MODEL_PATH=none or VIGIL_MODEL_MODE=off), NEWS2 alone. */
  primary?: { path: string; mode: Exclude<ModelMode, 'off'> };
  candidate?: { path: string; mode: CandidateMode; percent: number };
}

export type ModelSettingsConfig = Pick<
  Config,
  'VIGIL_MODEL_PATH' | 'VIGIL_MODEL_MODE' | 'VIGIL_CANDIDATE_MODEL_PATH' | 'VIGIL_CANDIDATE_MODE' | 'VIGIL_CANARY_PERCENT'
>;

export function modelSettings(config: ModelSettingsConfig, shippedModelPath: string): ModelSettings {
  if (config.VIGIL_MODEL_PATH === 'none' || config.VIGIL_MODEL_MODE === 'off') return {};
  const primary = { path: config.VIGIL_MODEL_PATH ?? shippedModelPath, mode: config.VIGIL_MODEL_MODE };
  if (config.VIGIL_CANDIDATE_MODEL_PATH === undefined) return { primary };
  return { primary, candidate: { path: config.VIGIL_CANDIDATE_MODEL_PATH, mode: config.VIGIL_CANDIDATE_MODE, percent: config.VIGIL_CANARY_PERCENT } };
}

/**
 * The patient's canary bucket, 0–99, from their keyed hash: the same patient lands in the same bucket
 * on every call and every replica sharing the audit key. Hashed once more so the bucket does not
 * repeat bits of the pseudonym that other uses read.
 */
export function canaryBucket(patientPseudonym: string): number {
  return createHash('sha256').update(`canary\u0000${patientPseudonym}`, 'utf8').digest().readUInt32BE(0) % 100;
}

/** Shown on cards when the primary never loaded; the log line carries the technical cause. */
export const NOT_LOADED_REASON = 'the model could not be loaded at start-up';

interface Loaded {
  kind: 'loaded';
  runner: ModelRunner;
  path: string;
  /** SHA-256 of the file: a reload of an unchanged file keeps the model (and its cache and drift window). */
  digest: string;
  /** Reading, checking and creating the session took this long. */
  loadMs: number;
}

interface NotLoaded {
  kind: 'not-loaded';
  path: string;
  code: string;
  cause: string;
}

interface Lineup {
  primary?: { mode: Exclude<ModelMode, 'off'>; model: Loaded | NotLoaded };
  candidate?: { mode: CandidateMode; percent: number; model: Loaded | NotLoaded };
}

export interface RegistryOptions {
  settings: ModelScorerSettings;
  drift: DriftSettings;
  /** Loopback and no trusted issuers: only here may a synthetic model be shown. */
  developmentProfile: boolean;
  /** VIGIL_ALLOW_FALLBACK_ONLY: only for the start-up line, which says what /readyz will say. */
  allowFallbackOnly?: boolean;
  log: ScorerLog;
  telemetry?: Telemetry;
  /** Turns a file's bytes into a model (tests wrap the real loader to hold or spy on inference). */
  load?: (bytes: Uint8Array) => Promise<LoadedModel>;
  /** Wall clock for the reload record. */
  clock?: () => Date;
}

/** What a reload did, for logs, tests and whoever triggered it. */
export interface ReloadOutcome {
  /** Roles whose model was replaced (a new file, or newly loaded). */
  loaded: ModelRole[];
  failures: ReloadFailure[];
}

type Refusal = { code: string; reason: string };

const isRefusal = (v: Loaded | Refusal): v is Refusal => !('kind' in v);

export class ModelRegistry extends EventEmitter implements DeteriorationScorer {
  private lineup: Lineup = {};
  private readonly rules = createRulesScorer();
  private readonly telemetry: Telemetry;
  private readonly clock: () => Date;
  private failure: ReloadFailure | undefined;
  /** Reloads run one after another: each compares against the line-up the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: RegistryOptions) {
    super();
    this.telemetry = options.telemetry ?? noTelemetry;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * The line-up at start-up. A model that cannot be loaded is left out and said so (the primary:
   * NEWS2 only, readiness decides; a candidate: the primary alone); a breach of the rules above is a
   * ConfigError, and Vigil does not start.
   */
  static async start(settings: ModelSettings, options: RegistryOptions): Promise<ModelRegistry> {
    const registry = new ModelRegistry(options);
    const lineup = await registry.build(settings, {}, 'start');
    registry.lineup = lineup.next;
    return registry;
  }

  /** Applies new settings (or the same ones, to pick up changed files). Resolves once swapped. */
  reload(settings: ModelSettings): Promise<ReloadOutcome> {
    const run = this.queue.then(async () => {
      const previous = this.lineup;
      const { next, outcome } = await this.build(settings, previous, 'reload');
      this.lineup = next;
      // Not awaited: a slow call still running on a replaced model must not hold up the reload.
      void Promise.all(this.retireUnused(previous, next));
      this.settle(outcome);
      return outcome;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A reload refused before any model was looked at (the settings themselves were invalid). */
  refuse(code: string, reason: string): void {
    const failure: ReloadFailure = { role: 'configuration', code, reason, at: this.clock().toISOString() };
    this.telemetry.modelReload('configuration', 'failed', code);
    this.options.log.warn({ role: 'configuration', code, cause: reason }, 'model reload refused: the models in service keep serving');
    this.failure = failure;
    this.emit('reloaded', { loaded: [], failures: [failure] } satisfies ReloadOutcome);
  }

  /** The model files in service or asked for, to watch for changes. */
  paths(): string[] {
    return [this.lineup.primary?.model.path, this.lineup.candidate?.model.path].filter((p): p is string => p !== undefined);
  }

  async assess(inputs: PatientInputs, context: AssessContext = {}): Promise<RiskAssessment> {
    const { primary, candidate } = this.lineup;
    if (primary === undefined) return this.rules.assess(inputs);
    const pseudonym = context.patientPseudonym;
    const canary =
      candidate?.mode === 'canary' && candidate.model.kind === 'loaded' && pseudonym !== undefined && canaryBucket(pseudonym) < candidate.percent;
    const serving = canary ? candidate.model : primary.model;
    const shadow = canary ? primary.model : candidate?.model;
    const running = [serving, shadow].filter((m): m is Loaded => m?.kind === 'loaded');
    for (const m of running) m.runner.acquire();
    try {
      const answer = (m: Loaded | NotLoaded | undefined): Promise<ModelAnswer> | undefined => (m?.kind === 'loaded' ? m.runner.answer(inputs) : undefined);
      const [base, servingAnswer, shadowAnswer] = await Promise.all([this.rules.assess(inputs), answer(serving), answer(shadow)]);
      const assessment =
        serving.kind === 'loaded' && servingAnswer !== undefined
          ? composeAssessment(base, serving.runner, primary.mode, servingAnswer)
          : notLoadedAssessment(base, primary.mode, NOT_LOADED_REASON);
      if (shadow?.kind === 'loaded' && shadowAnswer !== undefined) assessment.shadowRecord = modelRecord(shadow.runner, 'silent', shadowAnswer);
      return assessment;
    } finally {
      for (const m of running) m.runner.release();
    }
  }

  describe(): ScorerDescription {
    const { primary } = this.lineup;
    const reload = this.failure !== undefined ? { reloadFailure: this.failure } : {};
    if (primary === undefined) return { model: 'not-configured', mode: 'off', ...reload };
    const models = this.descriptions();
    if (primary.model.kind === 'not-loaded') {
      const { code, cause } = primary.model;
      return { model: 'fallback-only', mode: primary.mode, detail: `${code}: ${cause}`, models, ...reload };
    }
    const { metadata } = primary.model.runner;
    return {
      model: 'loaded',
      mode: primary.mode,
      detail: `${metadata.name} ${metadata.version} (${primary.model.runner.breakerState()})`,
      name: metadata.name,
      version: metadata.version,
      ...(metadata.trainingData !== undefined ? { trainingData: metadata.trainingData } : {}),
      models,
      ...reload,
    };
  }

  monitor(): ModelMonitor[] {
    const { primary, candidate } = this.lineup;
    const out: ModelMonitor[] = [];
    const add = (slot: { mode: string; model: Loaded | NotLoaded } | undefined, canaryPercent?: number) => {
      if (slot?.model.kind !== 'loaded') return;
      const { runner } = slot.model;
      const drift = runner.drift();
      out.push({
        role: runner.role,
        name: runner.metadata.name,
        version: runner.metadata.version,
        mode: slot.mode,
        ...(canaryPercent !== undefined ? { canaryPercent } : {}),
        ...(drift !== undefined ? { drift } : {}),
      });
    };
    add(primary);
    add(candidate, candidate?.mode === 'canary' ? candidate.percent : undefined);
    return out;
  }

  async close(): Promise<void> {
    await this.queue;
    const previous = this.lineup;
    this.lineup = {};
    await Promise.all(this.retireUnused(previous, this.lineup));
    await this.rules.close();
  }

  private descriptions(): ModelDescription[] {
    const { primary, candidate } = this.lineup;
    const describe = (role: ModelRole, mode: ModelDescription['mode'], model: Loaded | NotLoaded, canaryPercent?: number): ModelDescription => {
      const canary = canaryPercent !== undefined ? { canaryPercent } : {};
      if (model.kind === 'not-loaded') return { role, state: 'not loaded', mode, ...canary, detail: `not loaded: ${model.cause}` };
      const { metadata } = model.runner;
      return {
        role,
        state: 'loaded',
        name: metadata.name,
        version: metadata.version,
        mode,
        ...canary,
        ...(metadata.trainingData !== undefined ? { trainingData: metadata.trainingData } : {}),
        detail: model.runner.breakerState(),
      };
    };
    const out: ModelDescription[] = [];
    if (primary !== undefined) out.push(describe('primary', primary.mode, primary.model));
    if (candidate !== undefined) out.push(describe('candidate', candidate.mode, candidate.model, candidate.mode === 'canary' ? candidate.percent : undefined));
    return out;
  }

  /**
   * The next line-up from the settings and the current one. Every model it needs is loaded before it
   * exists; on a reload anything refused keeps what served before.
   */
  private async build(settings: ModelSettings, current: Lineup, phase: 'start' | 'reload'): Promise<{ next: Lineup; outcome: ReloadOutcome }> {
    const outcome: ReloadOutcome = { loaded: [], failures: [] };
    const created: ModelRunner[] = [];
    const refuse = (role: ModelRole, refusal: Refusal) => {
      if (phase === 'start' && refusal.code === 'VIGIL_MODEL_SHOWN_SYNTHETIC') throw new ConfigError([refusal.reason]);
      outcome.failures.push({ role, ...refusal, at: this.clock().toISOString() });
    };
    try {
      const next: Lineup = {};
      const want = settings.primary;
      if (want !== undefined) {
        const got = await this.obtain('primary', want.path, current.primary?.model, created);
        if (isRefusal(got)) {
          refuse('primary', got);
          // Keep what served. At start-up nothing did: the primary is "not loaded" (NEWS2 only, readiness decides).
          next.primary =
            phase === 'start' ? { mode: want.mode, model: { kind: 'not-loaded', path: want.path, code: got.code, cause: got.reason } } : current.primary;
        } else {
          const breach = this.synthetic(got, want.mode, 'VIGIL_MODEL_MODE');
          if (breach !== undefined) {
            refuse('primary', breach);
            next.primary = current.primary;
          } else {
            next.primary = { mode: want.mode, model: got };
            if (got !== current.primary?.model) outcome.loaded.push('primary');
          }
        }
      }
      const wantCandidate = settings.candidate;
      if (wantCandidate !== undefined && next.primary !== undefined) {
        const got = await this.obtain('candidate', wantCandidate.path, current.candidate?.model, created);
        const breach = isRefusal(got) ? got : this.candidateBreach(got, wantCandidate.mode, next.primary);
        if (breach !== undefined) {
          refuse('candidate', breach);
          // The candidate that served before stays only if it still fits beside the new primary.
          const kept = current.candidate;
          const fits =
            kept !== undefined && (kept.model.kind === 'not-loaded' || this.candidateBreach(kept.model, kept.mode, next.primary) === undefined);
          if (fits) next.candidate = kept;
          else next.candidate = withFields(wantCandidate, { model: { kind: 'not-loaded' as const, path: wantCandidate.path, code: breach.code, cause: breach.reason } });
        } else if (!isRefusal(got)) {
          next.candidate = { mode: wantCandidate.mode, percent: wantCandidate.percent, model: got };
          if (got !== current.candidate?.model) outcome.loaded.push('candidate');
        }
      }
      // Models loaded for this line-up but left out of it (refused) are released at once.
      const kept = new Set([next.primary?.model, next.candidate?.model]);
      for (const runner of created) if (![...kept].some((m) => m?.kind === 'loaded' && m.runner === runner)) await runner.close();
      this.report(phase, next, outcome);
      return { next, outcome };
    } catch (error) {
      for (const runner of created) await runner.close();
      throw error;
    }
  }

  /** The model at `path`: the one serving when the file has not changed, else freshly loaded; or why not. */
  private async obtain(role: ModelRole, path: string, current: Loaded | NotLoaded | undefined, created: ModelRunner[]): Promise<Loaded | Refusal> {
    let bytes: Uint8Array;
    let runner: ModelRunner;
    const started = performance.now();
    try {
      bytes = await readModelFile(path);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (current?.kind === 'loaded' && current.path === path && current.digest === digest) return current;
      const model = await (this.options.load ?? loadOnnxModelBytes)(bytes);
      runner = createModelRunner({
        model,
        role,
        settings: this.options.settings,
        telemetry: this.telemetry,
        log: this.options.log,
        drift: this.options.drift,
      });
      created.push(runner);
      return { kind: 'loaded', runner, path, digest, loadMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      const code = error instanceof ModelLoadError ? error.code : 'VIGIL_MODEL_CORRUPT';
      return { code, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** A synthetic model may be shown (active, or a canary of an active primary) only in the development profile. */
  private synthetic(model: Loaded, shownMode: ModelMode, setting: string): Refusal | undefined {
    const { metadata } = model.runner;
    if (metadata.trainingData !== 'synthetic' || shownMode !== 'active' || this.options.developmentProfile) return undefined;
    return {
      code: 'VIGIL_MODEL_SHOWN_SYNTHETIC',
      reason:
        `${setting}: ${metadata.name} ${metadata.version} was trained on synthetic data and may be active only in the development profile ` +
        '(loopback, no VIGIL_TRUSTED_ISSUERS, no VIGIL_PUBLIC_BASE_URL beyond loopback), as the primary model or as a canary of an active one. Run it silently, or deploy a locally validated model.',
    };
  }

  private candidateBreach(candidate: Loaded, mode: CandidateMode, primary: NonNullable<Lineup['primary']>): Refusal | undefined {
    const shown = mode === 'canary' ? primary.mode : 'silent';
    const breach = this.synthetic(candidate, shown, 'VIGIL_CANDIDATE_MODE');
    if (breach !== undefined) return breach;
    const p = primary.model.kind === 'loaded' ? primary.model.runner.metadata : undefined;
    const c = candidate.runner.metadata;
    if (p !== undefined && p.name === c.name && p.version === c.version) {
      return { code: 'VIGIL_MODEL_SAME_VERSION', reason: `the candidate is ${c.name} ${c.version}, the primary's own version: give it another version to compare the two` };
    }
    return undefined;
  }

  private report(phase: 'start' | 'reload', next: Lineup, outcome: ReloadOutcome): void {
    const { log } = this.options;
    for (const f of outcome.failures) {
      if (phase === 'start') this.reportNotLoadedAtStart(f, next);
      else {
        log.warn({ role: f.role, code: f.code, cause: f.reason }, 'model reload failed: the previous model keeps serving');
        this.telemetry.modelReload(f.role, 'failed', f.code);
      }
    }
    for (const role of outcome.loaded) {
      const slot = next[role];
      if (slot?.model.kind !== 'loaded') continue;
      const { metadata } = slot.model.runner;
      log.info(
        { role, model: metadata.name, version: metadata.version, trainingData: metadata.trainingData, mode: slot.mode, path: slot.model.path, loadMs: slot.model.loadMs },
        phase === 'start' ? 'early-warning model loaded' : 'model reloaded',
      );
      if (phase === 'reload') this.telemetry.modelReload(role, 'loaded');
    }
    if (next.candidate?.mode === 'canary' && next.primary?.mode === 'silent') {
      // Not a fault, but easily a surprise: a canary takes the primary's mode, so nobody sees either model.
      log.info({ role: 'candidate', mode: 'canary' }, 'canary of a silent primary: both models run silently');
    }
  }

  /**
   * A model that did not load at start-up, said once with what the operator needs: the file's name (a
   * directory path may name a site, never a patient), the code and errno, the mode, and whether this
   * replica is ready because of it, as /readyz will say (not-loaded-policy.ts). An unready replica is an
   * error: behind Kubernetes it gets no calls at all.
   */
  private reportNotLoadedAtStart(failure: ReloadFailure, next: Lineup): void {
    const { log } = this.options;
    const slot = failure.role === 'primary' ? next.primary : failure.role === 'candidate' ? next.candidate : undefined;
    const where = slot !== undefined ? { file: basename(slot.model.path), mode: slot.mode } : {};
    const fields = (ready: boolean) => ({ role: failure.role, code: failure.code, cause: failure.reason, ready, ...where });
    if (failure.role !== 'primary') {
      log.warn(fields(true), 'candidate model not loaded: serving the primary alone; this replica is ready');
      return;
    }
    const verdict = primaryNotLoadedVerdict(next.primary?.mode, this.options.allowFallbackOnly ?? false);
    if (verdict.ready) {
      log.warn(fields(true), `early-warning model not loaded: this replica is ready, serving NEWS2 only (${verdict.why})`);
      return;
    }
    const line = `early-warning model not loaded: this replica is NOT READY (${verdict.why})`;
    if (log.error !== undefined) log.error(fields(false), line);
    else log.warn(fields(false), line);
  }

  private settle(outcome: ReloadOutcome): void {
    if (outcome.failures.length > 0) this.failure = outcome.failures[outcome.failures.length - 1];
    else this.failure = undefined;
    this.emit('reloaded', outcome);
  }

  /** Models the new line-up no longer uses, released once the calls still running on them finish. */
  private retireUnused(previous: Lineup, next: Lineup): Promise<void>[] {
    const inUse = new Set([next.primary?.model, next.candidate?.model].flatMap((m) => (m?.kind === 'loaded' ? [m.runner] : [])));
    const retiring = [previous.primary?.model, previous.candidate?.model].flatMap((m) => (m?.kind === 'loaded' && !inUse.has(m.runner) ? [m.runner] : []));
    return retiring.map((runner) => runner.retire());
  }
}
