import { describe, expect, it } from 'vitest';
import type { News2Risk } from '../../src/fallback-rules/types.js';
import { BAND_OFF } from '../../src/models/model-metadata.js';
import { patientBootstrap } from '../../src/validation/metrics.js';
import type { Moment } from '../../src/validation/served-rule.js';
import { chooseThresholds, MIN_ADDED_ALERTS } from '../../training/thresholds.js';

/** `count` patients, one moment each, `positives` of them with the outcome. */
function group(count: number, positives: number, news2Risk: News2Risk, probability: number): Omit<Moment, 'patientId'>[] {
  return Array.from({ length: count }, (_, i) => ({ label: i < positives, news2Risk, probability }));
}

function choose(...groups: Omit<Moment, 'patientId'>[][]) {
  const moments = groups.flat().map((m, patientId) => ({ ...m, patientId }));
  return chooseThresholds(
    moments,
    patientBootstrap(
      moments.map((m) => m.patientId),
      400,
      11,
    ),
  );
}

// NEWS2's own alerts: warning-or-above (5–6) right 30 % of the time, critical (≥ 7) 50 %.
const NEWS2_WARNING = group(200, 60, 'medium', 0.05);
const NEWS2_CRITICAL = group(100, 50, 'high', 0.45);
const QUIET = group(2000, 20, 'none', 0.01);

describe("choosing the model's thresholds on the validation split", () => {
  it("picks the lowest threshold whose added alerts are clearly as often right as NEWS2's", () => {
    // Quiet by NEWS2 but the model finds them: right 60 % of the time at p = 0.25, 10 % at p = 0.12.
    const choice = choose(NEWS2_WARNING, NEWS2_CRITICAL, QUIET, group(100, 60, 'none', 0.25), group(300, 30, 'none', 0.12));
    expect(choice.thresholds.medium).toBeGreaterThan(0.12);
    expect(choice.thresholds.medium).toBeLessThanOrEqual(0.25);
    expect(choice.off).not.toContain('warning');
  });

  it("switches both bands off when the alerts the model would add are less often right than NEWS2's", () => {
    const choice = choose(NEWS2_WARNING, NEWS2_CRITICAL, QUIET, group(300, 30, 'none', 0.3));
    expect(choice.thresholds).toEqual({ medium: BAND_OFF, high: BAND_OFF });
    expect(choice.off).toEqual(['warning', 'critical']);
  });

  it(`does not trust fewer than ${MIN_ADDED_ALERTS} added alerts, even all right`, () => {
    const choice = choose(NEWS2_WARNING, NEWS2_CRITICAL, QUIET, group(MIN_ADDED_ALERTS - 1, MIN_ADDED_ALERTS - 1, 'none', 0.6));
    expect(choice.off).toContain('warning');
  });

  it('keeps high at or above medium: a critical alert is also a warning-or-above alert', () => {
    // From p = 0.1 the model escalates NEWS2 5–6 patients well (critical rule met), but the NEWS2-quiet
    // patients it would flag at 0.12 are seldom right, so warnings only meet the rule from 0.14 up.
    const choice = choose(
      group(300, 60, 'medium', 0.05),
      group(400, 390, 'medium', 0.1),
      NEWS2_CRITICAL,
      QUIET,
      group(100, 10, 'none', 0.12),
      group(25, 25, 'none', 0.4),
    );
    expect(choice.candidates.critical.find((c) => c.threshold === 0.1)?.meets).toBe(true);
    expect(choice.thresholds).toEqual({ medium: 0.14, high: 0.14 });
  });

  it('reports every candidate with its added alert rate, added PPV and served sensitivity', () => {
    const choice = choose(NEWS2_WARNING, NEWS2_CRITICAL, QUIET, group(100, 60, 'none', 0.25));
    const at25 = choice.candidates.warning.find((c) => c.threshold === 0.25);
    expect(at25).toMatchObject({ addedAlerts: 100, addedPpv: 0.6, meets: true });
    expect(at25?.servedSensitivity).toBeCloseTo((60 + 50 + 60) / (60 + 50 + 20 + 60), 10);
    expect(choice.news2Ppv).toEqual({ warning: (60 + 50) / 300, critical: 0.5 });
  });
});
