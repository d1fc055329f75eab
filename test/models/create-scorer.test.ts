import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createScorer } from '../../src/models/create-scorer.js';
import { adult, UNWELL } from './support.js';

function logSpy() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    info: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj: Record<string, unknown>, msg: string) => void lines.push({ level: 'warn', obj, msg }),
  };
}

describe('choosing the scorer at start-up', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-scorer-'));
    await writeFile(join(dir, 'corrupt.onnx'), 'this is not a protobuf, it is a sentence');
  });

  it('loads the shipped model silently by default: scored and recorded, never on the card', async () => {
    const log = logSpy();
    const scorer = await createScorer(loadConfig({}), log);
    try {
      expect(scorer.describe()).toMatchObject({ model: 'loaded', mode: 'silent', detail: expect.stringMatching(/^vigil-deterioration 2\.0\.0/) });
      const result = await scorer.assess(adult(UNWELL));
      expect(result.path).toBe('rules');
      expect(result.modelRecord).toMatchObject({ mode: 'silent', shown: false, prediction: { name: 'vigil-deterioration' } });
      expect(log.lines[0]).toMatchObject({ level: 'info', obj: { model: 'vigil-deterioration', mode: 'silent', loadMs: expect.any(Number) } });
    } finally {
      await scorer.close();
    }
  });

  it('shows the shipped model when active in the development profile (loopback, no trusted issuers)', async () => {
    const scorer = await createScorer(loadConfig({ VIGIL_MODEL_MODE: 'active' }), logSpy());
    try {
      expect(scorer.describe()).toMatchObject({ model: 'loaded', mode: 'active' });
      expect((await scorer.assess(adult(UNWELL))).path).toBe('model');
    } finally {
      await scorer.close();
    }
  });

  it.each([
    ['bound to every address', { HOST: '0.0.0.0', VIGIL_TRUSTED_ISSUERS: '/x.json' }],
    ['on loopback with configured issuers', { VIGIL_TRUSTED_ISSUERS: '/x.json' }],
  ])('refuses to start with the synthetic model active outside the development profile (%s)', async (_name, env) => {
    await expect(createScorer(loadConfig({ VIGIL_MODEL_MODE: 'active', ...env }), logSpy())).rejects.toThrow(
      /trained on synthetic data and may be active only in the development profile/,
    );
  });

  it('runs a synthetic model silently outside the development profile', async () => {
    const scorer = await createScorer(loadConfig({ HOST: '0.0.0.0', VIGIL_TRUSTED_ISSUERS: '/x.json' }), logSpy());
    try {
      expect(scorer.describe()).toMatchObject({ model: 'loaded', mode: 'silent' });
    } finally {
      await scorer.close();
    }
  });

  it.each([
    ['missing', 'absent.onnx', 'VIGIL_MODEL_MISSING'],
    ['corrupt', 'corrupt.onnx', 'VIGIL_MODEL_CORRUPT'],
  ])('serves NEWS2 only, says so in its log and readiness, and on every assessment, when the model is %s', async (_name, file, code) => {
    const log = logSpy();
    const scorer = await createScorer(loadConfig({ VIGIL_MODEL_PATH: join(dir, file), VIGIL_MODEL_MODE: 'active' }), log);
    try {
      expect(scorer.describe().model).toBe('fallback-only');
      expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ code }) }));
      const result = await scorer.assess(adult(UNWELL));
      expect(result).toMatchObject({
        path: 'rules',
        modelStatus: { state: 'unavailable', reason: 'the model could not be loaded at start-up' },
      });
      expect(result.news2.total).toBeGreaterThanOrEqual(7);
      expect(result.model).toBeUndefined();
    } finally {
      await scorer.close();
    }
  });

  it.each([
    ['VIGIL_MODEL_PATH is none', { VIGIL_MODEL_PATH: 'none' }],
    ['VIGIL_MODEL_MODE is off', { VIGIL_MODEL_MODE: 'off' }],
  ])('runs the rules alone, not-configured, when %s', async (_name, env) => {
    const scorer = await createScorer(loadConfig(env), logSpy());
    expect(scorer.describe().model).toBe('not-configured');
    const result = await scorer.assess(adult(UNWELL));
    expect(result.modelStatus).toEqual({ state: 'not-configured' });
    expect(result.modelRecord).toBeUndefined();
  });
});
