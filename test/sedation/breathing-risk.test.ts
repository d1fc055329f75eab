// When a sedative is dangerous, or breathing cannot be judged: the reasons, their order (most severe
// first) and the colour they earn, from plain numbers.
import { describe, expect, it } from 'vitest';
import { unconfirmedNews2 } from '../../src/fallback-rules/news2-unconfirmed.js';
import { scoreNews2 } from '../../src/fallback-rules/news2.js';
import { scoreQsofa } from '../../src/fallback-rules/qsofa.js';
import { breathingRisk, type PrescribedSedative } from '../../src/sedation/breathing-risk.js';
import type { RiskAssessment } from '../../src/models/scorer.js';
import type { PatientInputs } from '../../src/domain/vital-signs.js';
import { CHARTED_AT, patientInputs, WELL, type Vitals } from '../support/patient-inputs.js';

const NOW = new Date(CHARTED_AT.getTime() + 20 * 60_000);

function risk(inputs: PatientInputs, alreadyPrescribed: PrescribedSedative[] = []) {
  const assessment: RiskAssessment = {
    path: 'rules',
    news2: scoreNews2(inputs),
    qsofa: scoreQsofa(inputs),
    modelStatus: { state: 'not-configured' },
  };
  return breathingRisk({
    assessment,
    inputs,
    unconfirmed: unconfirmedNews2(inputs, assessment.news2),
    staleAfterHours: 12,
    now: NOW,
    alreadyPrescribed,
  });
}
const of = (v: Vitals, options: Parameters<typeof patientInputs>[1] = {}) => risk(patientInputs(v, options));

describe('judging breathing before a sedative', () => {
  it('finds no reason in a well patient on air', () => {
    expect(of(WELL)).toEqual({ reasons: [], severe: false, notCheckedOnly: false });
  });

  it.each<[string, Vitals, string, boolean]>([
    ['RR 11', { ...WELL, respiratoryRate: 11 }, 'respiratory rate 11/min (≤ 11)', false],
    ['RR 8', { ...WELL, respiratoryRate: 8 }, 'respiratory rate 8/min (≤ 8)', true],
    ['RR 26 (scores 3)', { ...WELL, respiratoryRate: 26 }, 'respiratory rate 26/min scores 3 on NEWS2', false],
    ['SpO2 93 on scale 1', { ...WELL, spo2: 93 }, 'SpO2 93%, below the target of 94 %', false],
    ['responding to voice', { ...WELL, consciousness: 'voice' }, 'not alert: Responds to voice', true],
    ['on oxygen', { ...WELL, onOxygen: true }, 'needs supplemental oxygen', false],
  ])('names %s', (_name, vitals, text, severe) => {
    const r = of(vitals);
    expect(r.reasons.map((x) => x.text)).toContain(text);
    expect(r.severe).toBe(severe);
  });

  it('counts a prescribed 88–92 % target as a risk even at a saturation on target', () => {
    const r = of({ ...WELL, spo2: 90 }, { spo2Scale: 2 });
    expect(r.reasons.map((x) => x.text)).toEqual([
      'a prescribed SpO2 target of 88–92 % (hypercapnic respiratory failure: sedatives blunt the drive to breathe)',
    ]);
  });

  it('counts a sedative the patient already takes', () => {
    const r = risk(patientInputs(WELL), [
      { name: 'Lorazepam 1 MG Oral Tablet', match: { drugClass: 'benzodiazepine', ingredient: 'lorazepam', matchedBy: 'name' } },
    ]);
    expect(r.reasons).toEqual([
      {
        level: 'at-risk',
        text: 'already prescribed: Lorazepam 1 MG Oral Tablet (benzodiazepine)',
        combination: true,
        drugClass: 'benzodiazepine',
      },
    ]);
  });

  it.each<[string, Partial<Vitals>]>([
    ['respiratory rate', { respiratoryRate: undefined }],
    ['SpO2', { spo2: undefined }],
    ['consciousness', { consciousness: undefined }],
    // SpO2 97 % reassures on air, not on oxygen (clinical safety review, 2026-11-29: no card before).
    ['air or oxygen', { onOxygen: undefined }],
  ])('says breathing cannot be judged when %s is not charted', (words, missing) => {
    const vitals = { ...WELL, ...missing } as Vitals;
    for (const k of Object.keys(missing)) delete (vitals as Record<string, unknown>)[k];
    const r = of(vitals);
    expect(r.reasons).toEqual([{ level: 'cannot-judge', text: `${words} not charted in the last 12 h`, notCharted: true }]);
    expect(r.severe).toBe(false);
  });

  it('shows an out-of-date respiratory rate with its value and age, at risk when it would score 3', () => {
    const { respiratoryRate: _r, ...rest } = WELL;
    const r = of(rest, { stale: { respiratoryRate: 6 } });
    expect(r.reasons).toEqual([
      { level: 'at-risk', text: 'respiratory rate 6/min charted 3 days ago (out of date) would score 3: re-check before the first dose' },
    ]);
  });

  it('puts the most severe reasons first, whatever order they were found in', () => {
    const r = of({ ...WELL, onOxygen: true, spo2: 90, respiratoryRate: 7, consciousness: 'pain' });
    const levels = r.reasons.map((x) => x.level);
    expect(levels).toEqual(
      [...levels].sort((a, b) => ['severe', 'at-risk', 'cannot-judge'].indexOf(a) - ['severe', 'at-risk', 'cannot-judge'].indexOf(b)),
    );
    expect(r.reasons[0]).toEqual({ level: 'severe', text: 'respiratory rate 7/min (≤ 8)' });
    expect(r.severe).toBe(true);
  });
});
