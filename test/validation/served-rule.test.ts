import { describe, expect, it } from 'vitest';
import type { News2Risk } from '../../src/fallback-rules/types.js';
import { BAND_OFF } from '../../src/models/model-metadata.js';
import { patientBootstrap } from '../../src/validation/metrics.js';
import { evaluateBand, modelAlerts, news2Alerts, type Moment } from '../../src/validation/served-rule.js';

const at = (news2Risk: News2Risk, probability: number, label = false, patientId = 1): Moment => ({
  patientId,
  label,
  news2Risk,
  probability,
});
const THRESHOLDS = { medium: 0.2, high: 0.5 };

describe('who alerts under the served rule', () => {
  it.each<[News2Risk, boolean, boolean]>([
    ['none', false, false],
    ['low', false, false],
    ['low-medium', true, false], // a single parameter scoring 3
    ['medium', true, false],
    ['high', true, true],
  ])('NEWS2 risk %s alerts at warning-or-above: %s, at critical: %s', (risk, warning, critical) => {
    expect(news2Alerts(at(risk, 0), 'warning')).toBe(warning);
    expect(news2Alerts(at(risk, 0), 'critical')).toBe(critical);
  });

  it.each<[number, boolean, boolean]>([
    [0.19, false, false],
    [0.2, true, false],
    [0.5, true, true],
  ])('a model probability of %s alerts at warning-or-above: %s, at critical: %s', (p, warning, critical) => {
    expect(modelAlerts(at('none', p), 'warning', THRESHOLDS)).toBe(warning);
    expect(modelAlerts(at('none', p), 'critical', THRESHOLDS)).toBe(critical);
  });

  it('never alerts from a band that is off, whatever the probability', () => {
    const off = { medium: BAND_OFF, high: BAND_OFF };
    expect(modelAlerts(at('none', 1), 'warning', off)).toBe(false);
    expect(modelAlerts(at('none', 1), 'critical', off)).toBe(false);
  });
});

describe('evaluating a band', () => {
  // Patients 1–4: NEWS2 alerts on 1 and 2 (one right); the model alerts on 2 and 3 (3 is added, right).
  const moments = [at('medium', 0.1, true, 1), at('medium', 0.3, false, 2), at('low', 0.3, true, 3), at('none', 0.05, false, 4)];
  const e = evaluateBand(
    moments,
    'warning',
    THRESHOLDS,
    patientBootstrap(
      moments.map((m) => m.patientId),
      200,
      1,
    ),
  );

  it('counts NEWS2 alone, the model alone and the served union on the same rows', () => {
    expect(e.news2).toEqual({ alertRate: 0.5, sensitivity: 0.5, ppv: 0.5 });
    expect(e.model).toEqual({ alertRate: 0.5, sensitivity: 0.5, ppv: 0.5 });
    expect(e.served).toEqual({ alertRate: 0.75, sensitivity: 1, ppv: 2 / 3 });
  });

  it("counts as added only the model alerts where NEWS2 stays below the band, and compares their PPV with NEWS2's", () => {
    expect(e.added).toEqual({ alertRate: 0.25, alerts: 1 });
    expect(e.ppv.a.value).toBe(1);
    expect(e.ppv.b.value).toBe(0.5);
    expect(e.ppv.difference.value).toBe(0.5);
  });
});
