// A primary model that does not load at start-up: the one log line says whether this replica is ready
// and why, as /readyz will, with the file's name and the error codes; and a gauge says "not loaded" for
// as long as it is, across restarts (a reload-failing alert clears when the pod restarts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScorer } from '../../src/models/create-scorer.js';
import type { ModelRegistry } from '../../src/models/model-registry.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { testConfig } from '../support/app.js';

interface Line {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

function spyLog() {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (obj: object, msg: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

let dir: string;
let scorer: ModelRegistry | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-site-ward7-'));
});
afterEach(async () => {
  await scorer?.close();
  scorer = undefined;
  await rm(dir, { recursive: true, force: true });
});

const notLoadedLine = (lines: Line[]) => lines.find((l) => l.msg.startsWith('early-warning model not loaded'));

describe('a primary model that does not load at start-up', () => {
  it('in silent mode is logged as a warning that the replica is ready, with the file name, code and errno', async () => {
    const { lines, log } = spyLog();
    scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: join(dir, 'model.onnx') }), log);
    const line = notLoadedLine(lines);
    expect(line).toMatchObject({
      level: 'warn',
      obj: { role: 'primary', code: 'VIGIL_MODEL_MISSING', cause: expect.stringContaining('ENOENT'), file: 'model.onnx', mode: 'silent', ready: true },
    });
    expect(line?.msg).toContain('this replica is ready');
    // The file's name, not its directory (which may name a site or a ward).
    expect(JSON.stringify(lines)).not.toContain(dir);
  });

  it('in active mode is logged as an error that the replica is NOT READY, and what to do', async () => {
    const { lines, log } = spyLog();
    await writeFile(join(dir, 'corrupt.onnx'), 'this is not an ONNX model');
    scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: join(dir, 'corrupt.onnx'), VIGIL_MODEL_MODE: 'active' }), log);
    const line = notLoadedLine(lines);
    expect(line).toMatchObject({ level: 'error', obj: { code: 'VIGIL_MODEL_CORRUPT', file: 'corrupt.onnx', mode: 'active', ready: false } });
    expect(line?.msg).toMatch(/NOT READY.*VIGIL_ALLOW_FALLBACK_ONLY=true/);
  });

  it('in active mode with VIGIL_ALLOW_FALLBACK_ONLY is logged as ready, NEWS2 only', async () => {
    const { lines, log } = spyLog();
    const env = { VIGIL_MODEL_PATH: join(dir, 'model.onnx'), VIGIL_MODEL_MODE: 'active', VIGIL_ALLOW_FALLBACK_ONLY: 'true' };
    scorer = await createScorer(testConfig(env), log);
    expect(notLoadedLine(lines)).toMatchObject({ level: 'warn', obj: { ready: true }, msg: expect.stringContaining('VIGIL_ALLOW_FALLBACK_ONLY') });
  });

  it('reads 0 on vigil_model_loaded{role="primary"}, and 1 once a model is loaded', async () => {
    const metrics = createMetrics();
    scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: join(dir, 'model.onnx') }), spyLog().log);
    metrics.watchModels(scorer);
    expect(await metrics.registry.metrics()).toContain('vigil_model_loaded{role="primary"} 0');

    const loaded = createMetrics();
    await scorer.close();
    scorer = await createScorer(testConfig(), spyLog().log);
    loaded.watchModels(scorer);
    expect(await loaded.registry.metrics()).toContain('vigil_model_loaded{role="primary"} 1');
  });

  it('has no vigil_model_loaded series when no model is configured', async () => {
    const metrics = createMetrics();
    scorer = await createScorer(testConfig({ VIGIL_MODEL_PATH: 'none' }), spyLog().log);
    metrics.watchModels(scorer);
    expect(await metrics.registry.metrics()).not.toMatch(/^vigil_model_loaded\{/m);
  });
});
