// The models in service: a candidate beside the primary (shadow or canary), the rules every line-up
// must meet, and reloads that swap a model atomically or refuse it and keep the old one serving.
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { canaryBucket, ModelRegistry, type ModelSettings, type RegistryOptions, type ReloadOutcome } from '../../src/models/model-registry.js';
import { loadOnnxModelBytes, type LoadedModel } from '../../src/models/onnx-model.js';
import type { RiskAssessment } from '../../src/models/scorer.js';
import { readiness } from '../../src/health/readiness.js';
import { noTelemetry, type Telemetry } from '../../src/telemetry.js';
import { adult, FAST_SETTINGS, UNWELL, WELL } from './support.js';
import { NOT_ONNX, publish, SHIPPED_VERSION, tempDir, variantBytes, writeVariant, wrongContractBytes } from './variants.js';

const quiet = { info: () => {}, warn: () => {} };
const DRIFT = { windowCalls: 100, minCalls: 10 };

function options(extra: Partial<RegistryOptions> = {}): RegistryOptions {
  return { settings: FAST_SETTINGS, drift: DRIFT, developmentProfile: true, log: quiet, ...extra };
}

/** A telemetry spy for reloads. */
function reloadSpy(): Telemetry & { reloads: string[] } {
  const spy = { ...noTelemetry, reloads: [] as string[], modelReload: (role: string, result: string, code?: string) => void spy.reloads.push(`${role} ${result}${code ? ` ${code}` : ''}`) };
  return spy;
}

const patient = (i: number) => `hmac-sha256:synthetic-patient-${i}`;
const versionOf = (a: RiskAssessment) => a.modelRecord?.version;

let dir: string;
let candidatePath: string;
let registry: ModelRegistry | undefined;
beforeAll(async () => {
  dir = await tempDir();
  candidatePath = await writeVariant(dir, 'candidate.onnx', { version: '2.1.0-rc.1' });
});
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

async function start(settings: ModelSettings, extra: Partial<RegistryOptions> = {}): Promise<ModelRegistry> {
  registry = await ModelRegistry.start(settings, options(extra));
  return registry;
}

describe('a candidate in shadow', () => {
  it('is scored and recorded on every call beside the active primary, and never shown', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' }, candidate: { path: candidatePath, mode: 'silent', percent: 50 } });
    for (let i = 0; i < 20; i++) {
      const a = await r.assess(adult(UNWELL), { patientPseudonym: patient(i) });
      expect(a.modelRecord).toMatchObject({ role: 'primary', version: SHIPPED_VERSION, mode: 'active', shown: true });
      expect(a.model?.version).toBe(SHIPPED_VERSION);
      expect(a.shadowRecord).toMatchObject({ role: 'candidate', version: '2.1.0-rc.1', mode: 'silent', shown: false, prediction: { probability: expect.any(Number) } });
    }
    expect(r.describe().models).toEqual([
      expect.objectContaining({ role: 'primary', state: 'loaded', version: SHIPPED_VERSION, mode: 'active' }),
      expect.objectContaining({ role: 'candidate', state: 'loaded', version: '2.1.0-rc.1', mode: 'silent' }),
    ]);
  });
});

describe('a canary', () => {
  it('serves its share of patients in the primary’s place and mode, each patient always on the same model', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' }, candidate: { path: candidatePath, mode: 'canary', percent: 30 } });
    const first = new Map<number, string | undefined>();
    for (let i = 0; i < 400; i++) {
      const a = await r.assess(adult(UNWELL), { patientPseudonym: patient(i) });
      first.set(i, versionOf(a));
      const other = a.shadowRecord;
      if (versionOf(a) === '2.1.0-rc.1') {
        // The candidate plays the active model: shown under the same rules; the primary is recorded silently.
        expect(a).toMatchObject({ path: 'model', model: { version: '2.1.0-rc.1' }, modelRecord: { role: 'candidate', mode: 'active', shown: true } });
        expect(other).toMatchObject({ role: 'primary', version: SHIPPED_VERSION, mode: 'silent', shown: false });
      } else {
        expect(a.modelRecord).toMatchObject({ role: 'primary', version: SHIPPED_VERSION, mode: 'active' });
        expect(other).toMatchObject({ role: 'candidate', version: '2.1.0-rc.1', mode: 'silent' });
      }
    }
    const share = [...first.values()].filter((v) => v === '2.1.0-rc.1').length / first.size;
    // 400 patients drawn at 30 %: the binomial standard deviation is 2.3 points; ±9 points is ~4 of them.
    expect(share).toBeGreaterThan(0.21);
    expect(share).toBeLessThan(0.39);
    for (const [i, version] of [...first].slice(0, 50)) {
      expect(versionOf(await r.assess(adult(WELL), { patientPseudonym: patient(i) }))).toBe(version);
    }
  });

  it.each([
    [0, 0],
    [100, 1],
  ])('at %s percent serves a share of %s of patients', async (percent, share) => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' }, candidate: { path: candidatePath, mode: 'canary', percent } });
    const versions = await Promise.all(Array.from({ length: 50 }, (_, i) => r.assess(adult(UNWELL), { patientPseudonym: patient(i) }).then(versionOf)));
    expect(versions.filter((v) => v === '2.1.0-rc.1').length / versions.length).toBe(share);
  });

  it('chooses by the keyed patient hash: a bucket from 0 to 99, the same every time', () => {
    const buckets = Array.from({ length: 2000 }, (_, i) => canaryBucket(patient(i)));
    expect(Math.min(...buckets)).toBe(0);
    expect(Math.max(...buckets)).toBe(99);
    expect(buckets.map((_, i) => canaryBucket(patient(i)))).toEqual(buckets);
  });

  it('follows the primary’s mode: with a silent primary, nobody sees either model', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'silent' }, candidate: { path: candidatePath, mode: 'canary', percent: 100 } });
    const a = await r.assess(adult(UNWELL), { patientPseudonym: patient(1) });
    expect(a).toMatchObject({ path: 'rules', modelStatus: { state: 'not-configured' }, modelRecord: { role: 'candidate', mode: 'silent', shown: false } });
    expect(a.model).toBeUndefined();
  });
});

describe('the rules of a line-up', () => {
  it('refuses to start with a synthetic canary of an active primary outside the development profile', async () => {
    const site = await writeVariant(dir, 'site.onnx', { version: '3.0.0', trainingData: 'site' });
    const settings: ModelSettings = { primary: { path: site, mode: 'active' }, candidate: { path: candidatePath, mode: 'canary', percent: 10 } };
    const refused = ModelRegistry.start(settings, options({ developmentProfile: false }));
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/VIGIL_CANDIDATE_MODE: vigil-deterioration 2\.1\.0-rc\.1 was trained on synthetic data/);
    // The same synthetic candidate in shadow is fine: it is never shown.
    const r = await start({ ...settings, candidate: { ...settings.candidate!, mode: 'silent' } }, { developmentProfile: false });
    expect(r.describe().models?.map((m) => m.state)).toEqual(['loaded', 'loaded']);
  });

  it('leaves out a candidate of the primary’s own version, says why, and serves the primary alone', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' }, candidate: { path: SHIPPED_MODEL_PATH, mode: 'silent', percent: 0 } });
    expect(r.describe().models?.[1]).toMatchObject({ role: 'candidate', state: 'not loaded', detail: expect.stringContaining("the primary's own version") });
    const a = await r.assess(adult(UNWELL), { patientPseudonym: patient(1) });
    expect(a.shadowRecord).toBeUndefined();
  });

  it('serves the primary alone when the candidate file cannot be loaded', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' }, candidate: { path: join(dir, 'absent.onnx'), mode: 'canary', percent: 100 } });
    expect(r.describe()).toMatchObject({ model: 'loaded', models: [{ state: 'loaded' }, { role: 'candidate', state: 'not loaded' }] });
    const a = await r.assess(adult(UNWELL), { patientPseudonym: patient(1) });
    expect(a.modelRecord).toMatchObject({ role: 'primary', version: SHIPPED_VERSION });
  });
});

describe('reloading', () => {
  it('swaps a changed model file in, and keeps an unchanged one (same model, same cache)', async () => {
    const path = await writeVariant(dir, 'served.onnx', { version: '2.0.0' });
    const telemetry = reloadSpy();
    const r = await start({ primary: { path, mode: 'active' } }, { telemetry });
    const settings: ModelSettings = { primary: { path, mode: 'active' } };
    expect(await r.reload(settings)).toEqual({ loaded: [], failures: [] });
    await publish(path, variantBytes({ version: '2.2.0' }));
    expect(await r.reload(settings)).toEqual({ loaded: ['primary'], failures: [] });
    expect(versionOf(await r.assess(adult(UNWELL)))).toBe('2.2.0');
    expect(telemetry.reloads).toEqual(['primary loaded']);
  });

  it.each([
    ['not ONNX', () => NOT_ONNX, 'VIGIL_MODEL_CORRUPT'],
    ['of another contract', wrongContractBytes, 'VIGIL_MODEL_CONTRACT_MISMATCH'],
  ])('refuses a model file that is %s, keeps the old one serving and says so', async (_what, bytes, code) => {
    const path = await writeVariant(dir, `refused-${code}.onnx`, { version: '2.0.0' });
    const telemetry = reloadSpy();
    const r = await start({ primary: { path, mode: 'active' } }, { telemetry, clock: () => new Date('2026-11-30T08:00:00Z') });
    await publish(path, bytes());
    const outcome = await r.reload({ primary: { path, mode: 'active' } });
    expect(outcome.failures).toEqual([expect.objectContaining({ role: 'primary', code })]);
    expect(versionOf(await r.assess(adult(UNWELL)))).toBe('2.0.0');
    expect(telemetry.reloads).toEqual([`primary failed ${code}`]);
    const described = r.describe();
    expect(described).toMatchObject({ model: 'loaded', version: '2.0.0', reloadFailure: { role: 'primary', code, at: '2026-11-30T08:00:00.000Z' } });
    const ready = readiness(described, false);
    expect(ready.ready).toBe(true);
    expect(ready.checks).toContainEqual(expect.objectContaining({ name: 'model-reload', ok: true, detail: expect.stringContaining('reload failed') }));

    // The next good file clears the failure.
    await publish(path, variantBytes({ version: '2.3.0' }));
    expect((await r.reload({ primary: { path, mode: 'active' } })).loaded).toEqual(['primary']);
    expect(r.describe().reloadFailure).toBeUndefined();
  });

  it('refuses to show a synthetic model by a reload outside the development profile, and keeps the silent one', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'silent' } }, { developmentProfile: false });
    const outcome = await r.reload({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' } });
    expect(outcome.failures).toEqual([expect.objectContaining({ role: 'primary', code: 'VIGIL_MODEL_SHOWN_SYNTHETIC' })]);
    expect(r.describe().mode).toBe('silent');
    expect((await r.assess(adult(UNWELL))).path).toBe('rules');
  });

  it('promotes the candidate and rolls back by a change of settings', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' }, candidate: { path: candidatePath, mode: 'canary', percent: 10 } });
    await r.reload({ primary: { path: candidatePath, mode: 'active' } });
    expect(r.describe().models).toEqual([expect.objectContaining({ role: 'primary', version: '2.1.0-rc.1', mode: 'active' })]);
    expect(versionOf(await r.assess(adult(UNWELL), { patientPseudonym: patient(3) }))).toBe('2.1.0-rc.1');
    await r.reload({ primary: { path: SHIPPED_MODEL_PATH, mode: 'active' } });
    expect(versionOf(await r.assess(adult(UNWELL), { patientPseudonym: patient(3) }))).toBe(SHIPPED_VERSION);
  });

  it('lets a call in flight finish on the old model, and releases the old model only after it', async () => {
    const path = await writeVariant(dir, 'in-flight.onnx', { version: '2.0.0' });
    const events: string[] = [];
    let hold: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (hold = resolve));
    let entered: (() => void) | undefined;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    let holding = false;
    // The real loader, with the 2.0.0 model's inference held on demand and its release observed.
    const load = async (bytes: Uint8Array): Promise<LoadedModel> => {
      const model = await loadOnnxModelBytes(bytes);
      const version = model.metadata.version;
      return {
        ...model,
        infer: async (features) => {
          if (!holding || version !== '2.0.0') return model.infer(features);
          entered?.();
          await held;
          const p = await model.infer(features);
          events.push('2.0.0 answered the held call');
          return p;
        },
        release: async () => {
          events.push(`released ${version}`);
          await model.release();
        },
      };
    };
    // A timeout no busy machine reaches: this call must finish with the old model's own answer.
    const r = await start({ primary: { path, mode: 'active' } }, { load, settings: { ...FAST_SETTINGS, timeoutMs: 60_000 } });
    holding = true;
    const slow = r.assess(adult(UNWELL, 81));
    await inside;
    await publish(path, variantBytes({ version: '2.4.0' }));
    await r.reload({ primary: { path, mode: 'active' } });
    events.push('swapped');
    expect(versionOf(await r.assess(adult(UNWELL, 82)))).toBe('2.4.0');
    expect(events).toEqual(['swapped']);
    hold?.();
    expect((await slow).modelRecord).toMatchObject({ version: '2.0.0', status: { state: 'used' } });
    await expect.poll(() => events).toContain('released 2.0.0');
    expect(events).toEqual(['swapped', '2.0.0 answered the held call', 'released 2.0.0']);
  });

  it('keeps a replaced model until an inference the breaker timed out has finished inside it', async () => {
    const path = await writeVariant(dir, 'timed-out.onnx', { version: '2.0.0' });
    const events: string[] = [];
    let hold: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (hold = resolve));
    const load = async (bytes: Uint8Array): Promise<LoadedModel> => {
      const model = await loadOnnxModelBytes(bytes);
      const version = model.metadata.version;
      let first = version === '2.0.0';
      return {
        ...model,
        infer: async (features) => {
          if (!first) return model.infer(features);
          first = false;
          await held;
          events.push('the timed-out inference finished');
          return model.infer(features);
        },
        release: async () => {
          events.push(`released ${version}`);
          await model.release();
        },
      };
    };
    const r = await start({ primary: { path, mode: 'active' } }, { load });
    // FAST_SETTINGS time an inference out at 25 ms: the call answers with NEWS2 while the inference runs on.
    expect((await r.assess(adult(UNWELL, 83))).modelStatus).toMatchObject({ state: 'unavailable', reason: expect.stringContaining('did not answer') });
    await publish(path, variantBytes({ version: '2.5.0' }));
    await r.reload({ primary: { path, mode: 'active' } });
    expect(versionOf(await r.assess(adult(UNWELL, 84)))).toBe('2.5.0');
    expect(events).toEqual([]);
    hold?.();
    await expect.poll(() => events).toContain('released 2.0.0');
    expect(events).toEqual(['the timed-out inference finished', 'released 2.0.0']);
  });

  it('tells listeners when a reload is done', async () => {
    const r = await start({ primary: { path: SHIPPED_MODEL_PATH, mode: 'silent' } });
    const done = once(r, 'reloaded') as Promise<[ReloadOutcome]>;
    void r.reload({});
    const [outcome] = await done;
    expect(outcome).toEqual({ loaded: [], failures: [] });
    expect(r.describe().model).toBe('not-configured');
  });
});
