import { describe, expect, it } from 'vitest';
import { scoreNews2 } from '../../src/fallback-rules/news2.js';
import { scoreQsofa } from '../../src/fallback-rules/qsofa.js';
import { createRulesScorer } from '../../src/models/rules-scorer.js';
import { patientInputs, WELL } from '../support/patient-inputs.js';

describe('the rules scorer', () => {
  it('assesses on the rules path with NEWS2 and qSOFA and no model', async () => {
    const inputs = patientInputs({ ...WELL, respiratoryRate: 26, systolicBP: 95 });
    const assessment = await createRulesScorer().assess(inputs);
    expect(assessment).toEqual({
      path: 'rules',
      news2: scoreNews2(inputs),
      qsofa: scoreQsofa(inputs),
      modelStatus: { state: 'not-configured' },
    });
    expect(assessment.news2.total).toBe(5);
    expect(assessment.qsofa.positive).toBe(true);
    expect(assessment.model).toBeUndefined();
  });

  it('describes itself as having no model configured and closes cleanly', async () => {
    const scorer = createRulesScorer();
    expect(scorer.describe()).toEqual({ model: 'not-configured', mode: 'off' });
    await expect(scorer.close()).resolves.toBeUndefined();
  });
});
