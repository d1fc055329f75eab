// Reloading without a restart: a changed model file or settings file is noticed and reloaded; invalid
// settings are refused whole. Each test waits for the registry's "reloaded" event, never for a time.
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { ModelRegistry, modelSettings, type ReloadOutcome } from '../../src/models/model-registry.js';
import { ModelReloader } from '../../src/models/model-reload.js';
import { FAST_SETTINGS } from './support.js';
import { publish, SHIPPED_VERSION, tempDir, variantBytes, writeVariant } from './variants.js';

const quiet = { info: () => {}, warn: () => {} };
let registry: ModelRegistry | undefined;
let reloader: ModelReloader | undefined;
afterEach(async () => {
  reloader?.close();
  await registry?.close();
  registry = reloader = undefined;
});

/** A registry and a watching reloader over the settings a config file (and nothing else) gives. */
async function watching(configFile: string): Promise<ModelRegistry> {
  const read = () => modelSettings(loadConfig({ VIGIL_CONFIG_FILE: configFile }), SHIPPED_MODEL_PATH);
  registry = await ModelRegistry.start(read(), { settings: FAST_SETTINGS, drift: { windowCalls: 50, minCalls: 10 }, developmentProfile: true, log: quiet });
  reloader = new ModelReloader({ registry, readSettings: read, configFile, watch: true, log: quiet, debounceMs: 50 }).start();
  return registry;
}

const reloaded = (r: ModelRegistry) => once(r, 'reloaded', { signal: AbortSignal.timeout(15_000) }) as Promise<[ReloadOutcome]>;
const versions = (r: ModelRegistry) => r.describe().models?.map((m) => `${m.role} ${m.version} ${m.mode}`);

describe('the model reloader', () => {
  it('reloads a model file replaced in place, and the new version serves', async () => {
    const dir = await tempDir();
    const model = await writeVariant(dir, 'model.onnx', { version: '2.0.0' });
    const config = join(dir, 'vigil.json');
    await writeFile(config, JSON.stringify({ VIGIL_MODEL_PATH: model }));
    const r = await watching(config);
    const done = reloaded(r);
    await publish(model, variantBytes({ version: '2.5.0' }));
    const [outcome] = await done;
    expect(outcome.loaded).toEqual(['primary']);
    expect(versions(r)).toEqual(['primary 2.5.0 silent']);
  });

  it('re-reads the settings file: a candidate added as a canary, then promoted', async () => {
    const dir = await tempDir();
    const candidate = await writeVariant(dir, 'candidate.onnx', { version: '2.1.0' });
    const config = join(dir, 'vigil.json');
    await writeFile(config, JSON.stringify({ VIGIL_MODEL_MODE: 'active' }));
    const r = await watching(config);
    expect(versions(r)).toEqual([`primary ${SHIPPED_VERSION} active`]);

    let done = reloaded(r);
    await publish(config, JSON.stringify({ VIGIL_MODEL_MODE: 'active', VIGIL_CANDIDATE_MODEL_PATH: candidate, VIGIL_CANDIDATE_MODE: 'canary', VIGIL_CANARY_PERCENT: 25 }));
    await done;
    expect(versions(r)).toEqual([`primary ${SHIPPED_VERSION} active`, 'candidate 2.1.0 canary']);
    expect(r.describe().models?.[1]?.canaryPercent).toBe(25);

    done = reloaded(r);
    await publish(config, JSON.stringify({ VIGIL_MODEL_MODE: 'active', VIGIL_MODEL_PATH: candidate }));
    await done;
    expect(versions(r)).toEqual(['primary 2.1.0 active']);
  });

  it('refuses invalid settings whole, says why, and keeps the models serving', async () => {
    const dir = await tempDir();
    const config = join(dir, 'vigil.json');
    await writeFile(config, JSON.stringify({ VIGIL_MODEL_MODE: 'active' }));
    const r = await watching(config);
    const done = reloaded(r);
    await publish(config, JSON.stringify({ VIGIL_MODEL_MODE: 'loud', VIGIL_CANARY_PERCENT: 140 }));
    const [outcome] = await done;
    expect(outcome.failures).toEqual([expect.objectContaining({ role: 'configuration', code: 'VIGIL_CONFIG_INVALID', reason: expect.stringMatching(/VIGIL_MODEL_MODE.*VIGIL_CANARY_PERCENT/) })]);
    expect(versions(r)).toEqual([`primary ${SHIPPED_VERSION} active`]);
    expect(r.describe().reloadFailure).toMatchObject({ role: 'configuration' });
  });
});
