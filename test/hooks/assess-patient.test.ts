import { news2Severity } from '../../src/fallback-rules/news2.js';
import { describe, expect, it } from 'vitest';
import { earlierNews2 } from '../../src/hooks/assess-patient.js';
import { normaliseInputs, type NormaliseSources } from '../../src/prefetch/normalise.js';
import type { FhirResource } from '../../src/fhir/resources.js';
import {
  bloodPressurePanel,
  bodyTemperature,
  consciousness,
  heartRate,
  hoursAgo,
  LOINC,
  minutesAgo,
  NOW,
  oxygenSaturation,
  respiratoryRate,
} from '../support/fhir-examples.js';

const STALE_AFTER_HOURS = 12;

/** A complete NEWS2 set charted at `t`, breathing at `rr`/min. */
function set(t: string, rr: number, rrOptions: { id?: string; extra?: Record<string, unknown> } = {}): FhirResource[] {
  return [
    respiratoryRate(rr, { effectiveDateTime: t, ...rrOptions }),
    oxygenSaturation(97, { effectiveDateTime: t, flowLpm: 0 }),
    bloodPressurePanel(124, 78, { effectiveDateTime: t }),
    heartRate(72, { effectiveDateTime: t }),
    consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, { effectiveDateTime: t }),
    bodyTemperature(36.8, { effectiveDateTime: t }),
  ];
}

function earlier(observations: FhirResource[]) {
  const sources: NormaliseSources = { observations, goals: [] };
  const inputs = normaliseInputs(sources, { now: NOW, staleAfterHours: STALE_AFTER_HOURS, severity: news2Severity });
  return earlierNews2(sources, inputs, STALE_AFTER_HOURS);
}

describe('the score before the current set (what a trend is measured from)', () => {
  it('is the complete set charted before the current one', () => {
    const found = earlier([...set(hoursAgo(4), 26), ...set(minutesAgo(10), 16)]);
    // Respiratory rate 26/min scores 3 (RCP NEWS2 chart): the rest of that set scores 0.
    expect(found).toEqual({ total: 3, risk: 'low-medium', at: new Date(hoursAgo(4)) });
  });

  it('is not given when the earlier set is incomplete (a partial score would make any rise look like a trend)', () => {
    const partial = set(hoursAgo(4), 26).slice(1);
    expect(earlier([...partial, ...set(minutesAgo(10), 16)])).toBeUndefined();
  });

  it('counts an Observation as first charted when a later version re-times it into the current set', () => {
    const v1 = { id: 'rr-corrected', extra: { meta: { versionId: '1' } } };
    const v2 = { id: 'rr-corrected', extra: { meta: { versionId: '2' } } };
    const observations = [...set(hoursAgo(4), 26, v1), ...set(minutesAgo(10), 16, v2)];
    expect(earlier(observations)).toEqual({ total: 3, risk: 'low-medium', at: new Date(hoursAgo(4)) });
  });
});
