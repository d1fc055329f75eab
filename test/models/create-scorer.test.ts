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

  it('loads the shipped model when VIGIL_MODEL_PATH is unset and scores with it', async () => {
    const log = logSpy();
    const scorer = await createScorer(loadConfig({}), log as never);
    try {
      expect(scorer.describe()).toMatchObject({ model: 'loaded', detail: expect.stringMatching(/^vigil-deterioration 2\.0\.0/) });
      expect((await scorer.assess(adult(UNWELL))).path).toBe('model');
      expect(log.lines[0]).toMatchObject({ level: 'info', obj: { model: 'vigil-deterioration', loadMs: expect.any(Number) } });
    } finally {
      await scorer.close();
    }
  });

  it.each([
    ['missing', 'absent.onnx', 'VIGIL_MODEL_MISSING'],
    ['corrupt', 'corrupt.onnx', 'VIGIL_MODEL_CORRUPT'],
  ])('serves NEWS2 only, says so in its log and readiness, and on every assessment, when the model is %s', async (_name, file, code) => {
    const log = logSpy();
    const scorer = await createScorer(loadConfig({ VIGIL_MODEL_PATH: join(dir, file) }), log as never);
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

  it('runs the rules alone, not-configured, when VIGIL_MODEL_PATH is none', async () => {
    const scorer = await createScorer(loadConfig({ VIGIL_MODEL_PATH: 'none' }), logSpy() as never);
    expect(scorer.describe().model).toBe('not-configured');
    expect((await scorer.assess(adult(UNWELL))).modelStatus).toEqual({ state: 'not-configured' });
  });
});
