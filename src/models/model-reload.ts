// Reloads the models without a restart: on SIGHUP, and (VIGIL_MODEL_WATCH) when a model file or
// VIGIL_CONFIG_FILE changes. Each reload reads the model settings again (the environment over
// VIGIL_CONFIG_FILE: promotion and rollback are a change of VIGIL_MODEL_PATH, VIGIL_CANDIDATE_* or
// VIGIL_MODEL_MODE there) and hands them to the registry, which swaps only what loaded and passed its
// checks. Invalid settings are refused whole: the models in service keep serving.
//
// Directories are watched, not files: a file replaced by rename (the safe way to publish a model)
// leaves a watch on the old file watching nothing, and Kubernetes publishes a ConfigMap by swapping a
// `..data` link beside the file. Events are debounced, so a file written in several chunks is read once
// it is quiet; a half-written file that is read anyway fails its checks and the next event retries.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../config.js';
import type { ModelRegistry, ModelSettings, ReloadOutcome } from './model-registry.js';
import type { ScorerLog } from './model-runner.js';

export interface ModelReloaderOptions {
  registry: Pick<ModelRegistry, 'reload' | 'refuse' | 'paths'>;
  /** Reads the model settings again; throws ConfigError when they are invalid. */
  readSettings: () => ModelSettings;
  /** VIGIL_CONFIG_FILE, when set: its change means "read the settings again". */
  configFile?: string;
  /** Watch the files (VIGIL_MODEL_WATCH); SIGHUP works either way. */
  watch: boolean;
  log: ScorerLog;
  /** Quiet time after the last file event before reloading (ms). */
  debounceMs?: number;
  /** Listen for SIGHUP (the server does; tests call `reload`). */
  signal?: boolean;
}

const DEFAULT_DEBOUNCE_MS = 300;

export class ModelReloader {
  private readonly watchers = new Map<string, FSWatcher>();
  /** Base names that matter, per watched directory. */
  private readonly files = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private wanted: string[] = [];
  private closed = false;
  private readonly onSignal = () => void this.reload('SIGHUP');

  constructor(private readonly options: ModelReloaderOptions) {}

  start(): this {
    if (this.options.signal === true) process.on('SIGHUP', this.onSignal);
    this.sync();
    return this;
  }

  /** Reads the settings and reloads; resolves with what changed (undefined when the settings were refused). */
  async reload(trigger: string): Promise<ReloadOutcome | undefined> {
    const { registry, log } = this.options;
    let settings: ModelSettings;
    try {
      settings = this.options.readSettings();
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems.join('; ') : error instanceof Error ? error.message : String(error);
      registry.refuse('VIGIL_CONFIG_INVALID', problems);
      return undefined;
    }
    log.info({ trigger }, 'reloading the models');
    this.wanted = [settings.primary?.path, settings.candidate?.path].filter((p): p is string => p !== undefined);
    try {
      return await registry.reload(settings);
    } catch (error) {
      // Not expected (a refused model is an outcome, not a throw), but a reload must never end the process.
      registry.refuse('VIGIL_RELOAD_FAILED', error instanceof Error ? error.message : String(error));
      return undefined;
    } finally {
      this.sync();
    }
  }

  close(): void {
    this.closed = true;
    process.off('SIGHUP', this.onSignal);
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Watches the directories of the files now in play (models serving or asked for, the settings file). */
  private sync(): void {
    if (!this.options.watch || this.closed) return;
    const paths = [...this.options.registry.paths(), ...this.wanted, ...(this.options.configFile !== undefined ? [this.options.configFile] : [])];
    this.files.clear();
    for (const path of paths.map((p) => resolve(p))) {
      const dir = dirname(path);
      const names = this.files.get(dir) ?? new Set<string>();
      names.add(basename(path));
      this.files.set(dir, names);
    }
    for (const [dir, watcher] of this.watchers) {
      if (!this.files.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of this.files.keys()) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => this.changed(dir, name === null ? undefined : String(name)));
        watcher.on('error', (err) => this.options.log.warn({ dir, code: (err as NodeJS.ErrnoException).code }, 'cannot watch a model directory: reload with SIGHUP'));
        this.watchers.set(dir, watcher);
      } catch (err) {
        this.options.log.warn({ dir, code: (err as NodeJS.ErrnoException).code }, 'cannot watch a model directory: reload with SIGHUP');
      }
    }
  }

  private changed(dir: string, name: string | undefined): void {
    const names = this.files.get(dir);
    // Unnamed events (some file systems) and Kubernetes' `..data` swaps count; other files do not.
    if (names === undefined || (name !== undefined && !names.has(name) && !name.startsWith('..'))) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload('file changed');
    }, this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.timer.unref();
  }
}
