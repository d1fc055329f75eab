import { describe, expect, it } from 'vitest';
import { findHypercapnicTargetGoal, hasUnreadSpo2Target, spo2ScaleFromGoals } from '../../src/prefetch/spo2-target.js';
import type { FhirResource } from '../../src/fhir/resources.js';
import { spo2Goal, UCUM } from '../support/fhir-examples.js';

describe("NEWS2 SpO2 scale from the record's Goals", () => {
  it('uses scale 1 when the record has no Goals', () => {
    expect(spo2ScaleFromGoals([])).toBe(1);
  });

  it('uses scale 2 for an active 88–92 % SpO2 target', () => {
    expect(spo2ScaleFromGoals([spo2Goal(92)])).toBe(2);
  });

  it.each([
    ['active', 2],
    ['accepted', 2],
    ['planned', 1],
    ['proposed', 1],
    ['on-hold', 1],
    ['completed', 1],
    ['cancelled', 1],
    ['entered-in-error', 1],
    ['rejected', 1],
  ] as const)('a Goal whose lifecycleStatus is %s gives scale %d', (lifecycleStatus, scale) => {
    expect(spo2ScaleFromGoals([spo2Goal(92, { lifecycleStatus })])).toBe(scale);
  });

  it.each([
    [92, 2],
    [92.5, 1],
    [93, 1],
    [96, 1],
    [90, 2], // a lower prescribed range still means "do not chase high saturations"
  ])('an upper bound of %d %% gives scale %d', (high, scale) => {
    expect(spo2ScaleFromGoals([spo2Goal(high, { low: Math.min(88, high - 2) })])).toBe(scale);
  });

  it.each([
    ['2708-6', 2],
    ['59408-5', 2],
    ['8867-4', 1], // a heart-rate target is not an SpO2 target
  ])('a target measured by LOINC %s gives scale %d', (measureCode, scale) => {
    expect(spo2ScaleFromGoals([spo2Goal(92, { measureCode })])).toBe(scale);
  });

  it.each([
    ['a unit-less bound', { value: 92 }],
    ['a fraction', { value: 0.92, unit: '1', system: UCUM, code: '1' }],
    // An ordinary 94–98 % target written as fractions with a "%" unit: scale 2 would hide SpO2 89 % on air.
    ['a fraction with a "%" unit', { value: 0.98, unit: '%', system: UCUM, code: '%' }],
    ['a bound below any prescribed target', { value: 50, unit: '%', system: UCUM, code: '%' }],
    ['a bound in another unit', { value: 92, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' }],
    ['a text value', { value: '92', unit: '%', system: UCUM, code: '%' }],
  ])('does not read %s as a percentage', (_label, high) => {
    expect(spo2ScaleFromGoals([spo2Goal(high)])).toBe(1);
  });

  it('accepts "%" written only as the unit text', () => {
    expect(spo2ScaleFromGoals([spo2Goal({ value: 92, unit: '%' })])).toBe(2);
  });

  it('finds the target among other Goals and other resources', () => {
    const weight = { resourceType: 'Goal', id: 'weight', lifecycleStatus: 'active', target: [{ measure: { text: 'weight' } }] };
    const target = spo2Goal(92, { id: 'copd-target' });
    const goals = [{ resourceType: 'OperationOutcome', issue: [] }, weight, spo2Goal(96, { id: 'normal' }), target];
    expect(findHypercapnicTargetGoal(goals)?.id).toBe('copd-target');
    expect(spo2ScaleFromGoals(goals)).toBe(2);
  });

  it('ignores a Goal-shaped resource of another type', () => {
    expect(spo2ScaleFromGoals([{ ...spo2Goal(92), resourceType: 'CarePlan' }])).toBe(1);
  });

  it('survives garbled Goals', () => {
    const garbled = [
      { resourceType: 'Goal', lifecycleStatus: 'active' },
      { resourceType: 'Goal', lifecycleStatus: 'active', target: 'x' },
      { resourceType: 'Goal', lifecycleStatus: 'active', target: [null, { measure: { coding: 'x' } }, { detailRange: 5 }] },
    ];
    expect(spo2ScaleFromGoals(garbled)).toBe(1);
  });
});

// Fourth clinical safety pass (2026-11-29): a target Vigil cannot read was read as no target at all, so
// a SNOMED-coded 88–92 % target left SpO2 97 % on oxygen scored 0 on scale 1 with nothing said.
describe('an SpO2 target recorded in a form Vigil does not read', () => {
  const snomedMeasure = { coding: [{ system: 'http://snomed.info/sct', code: '431314004', display: 'Peripheral oxygen saturation' }] };
  const withMeasure = (measure: unknown, high = 92, low = 88): FhirResource => {
    const goal = spo2Goal(high, { low });
    (goal['target'] as { measure: unknown }[])[0]!.measure = measure;
    return goal;
  };

  it.each([
    ['coded by SNOMED CT only', withMeasure(snomedMeasure)],
    ['named only in words', withMeasure({ text: 'SpO2' })],
    ['named only in a display', withMeasure({ coding: [{ system: 'urn:local', code: 'x1', display: 'O2 sats' }] })],
    ['with a unit-less bound', spo2Goal({ value: 92 })],
    ['with a fraction for a bound', spo2Goal({ value: 0.92, unit: '%', system: UCUM, code: '%' })],
    ['coded by SNOMED CT 103228002 with no display', withMeasure({ coding: [{ system: 'http://snomed.info/sct', code: '103228002' }] })],
    ['coded by LOINC 20564-1 (oxygen saturation in blood)', withMeasure({ coding: [{ system: 'http://loinc.org', code: '20564-1' }] })],
    ['named "SpO₂" (a subscript two)', { ...withMeasure({ text: 'SpO₂' }), description: { text: 'COPD plan' } }],
  ])('is flagged when %s', (_label, goal) => {
    expect(spo2ScaleFromGoals([goal])).toBe(1);
    expect(hasUnreadSpo2Target([goal])).toBe(true);
  });

  const described = (text: string): FhirResource => ({ resourceType: 'Goal', id: 'g', lifecycleStatus: 'active', description: { text } });

  it.each([
    'Target SpO2 88-92%',
    'Target SpO₂ 88–92% (COPD, hypercapnic)',
    'Sp02 target 88-92%',
    'keep sats 88 to 92',
    // A review of the refined version (2026-11-29): the standard wording lost, and a qualifier elsewhere vetoing.
    'Target saturation range 88–92%',
    'Target saturations 88-92% (BTS)',
    'SpO2 target 88-92%; check venous blood gas if drowsy',
    'Target SpO2 88-92% (VTE: venous thromboembolism prophylaxis)',
    'Sat 88-92%',
    'SpO2 88/92',
    'SpO2 between 88 and 92 percent',
    'pulse oximetry target 88-92%',
    'SpO2s 88-92%',
    'Maintain SpO2 > 88%',
    // Fifth review (2026-11-29): a bare target range names no measure, but on a ward record it is SpO2's.
    'Target 88-92%',
    'Target range: 88–92 %',
    'Aim 88 to 92%.',
  ])('is flagged for a Goal that states a hypercapnic target only in its description: "%s"', (text) => {
    expect(hasUnreadSpo2Target([described(text)])).toBe(true);
  });

  // Fifth review (2026-11-29): the description said 88–92 %, the structured target 94–98 %, and the
  // structured one was read silently. They disagree: the worse is asked about, scale 1 still scored.
  it('is flagged when the description states 88–92 % and the structured target 94–98 %', () => {
    const conflicting = { ...spo2Goal(98, { low: 94 }), description: { text: 'COPD: target SpO2 88-92%' } };
    expect(spo2ScaleFromGoals([conflicting])).toBe(1);
    expect(hasUnreadSpo2Target([conflicting])).toBe(true);
    const bare = { ...spo2Goal(98, { low: 94 }), description: { text: 'Target 88-92%' } };
    expect(hasUnreadSpo2Target([bare])).toBe(true);
    // The control: a description that agrees.
    expect(hasUnreadSpo2Target([{ ...spo2Goal(98, { low: 94 }), description: { text: 'Target SpO2 94-98%' } }])).toBe(false);
  });

  // A review of the first version (2026-11-29): any "saturation" raised a warning beside SpO2 97 % on oxygen.
  it.each([
    ['a transferrin saturation goal', described('Transferrin saturation above 20% (CKD anaemia)')],
    ['a weaning goal at an ordinary target', described('Wean oxygen as tolerated, keeping sats at or above 94%')],
    ['a central venous saturation goal', described('Central venous oxygen saturation > 70%')],
    ['a ScvO2 goal', described('ScvO2 70-80%')],
    ['an ordinary 92–96 % target in words', described('Keep sats 92-96%')],
    ['an age beside an ordinary target', described('85-year-old: keep sats 94-98%')],
    ['another figure beside an ordinary target', described('Keep SpO2 94-98%; FEV1 80% predicted')],
    ['an age and a lower bound above 92', described('Aged 85 – keep sats ≥ 94%')],
    ['a mixed venous saturation goal', described('Mixed venous saturation 65-75%')],
    ['a bare ScvO2-like range with a measure named', described('ScvO2 70-80%')],
    ['a bare range inside other words', described('Adherence target 80-90% of doses')],
    ['a bare range without a percent sign', described('Target 88-92')],
    ['a bare ordinary target range', described('Target 94-98%')],
    ['an ordinary 94–98 % target coded by SNOMED CT', withMeasure(snomedMeasure, 98, 94)],
    ['an ordinary target named in words', withMeasure({ text: 'SpO2' }, 98, 94)],
  ])('is not flagged for %s', (_label, goal) => {
    expect(hasUnreadSpo2Target([goal])).toBe(false);
  });

  it.each([
    ['no Goals', []],
    ['a readable hypercapnic target (scale 2)', [spo2Goal(92)]],
    ['a readable ordinary target', [spo2Goal(98, { low: 94 })]],
    [
      'a readable target given only as "at least 94 %"',
      [
        {
          ...spo2Goal(98),
          target: [{ ...(spo2Goal(98).target as object[])[0], detailRange: { low: { value: 94, unit: '%', system: UCUM, code: '%' } } }],
        },
      ],
    ],
    [
      'a Goal about something else',
      [{ resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Walk 10 m' }, target: [{ measure: { text: 'weight' } }] }],
    ],
    ['an unreadable target no longer in force', [spo2Goal({ value: 92 }, { lifecycleStatus: 'completed' })]],
    ['an unreadable target beside a readable 88–92 % one', [spo2Goal({ value: 92 }, { id: 'a' }), spo2Goal(92, { id: 'b' })]],
  ])('is not flagged for %s', (_label, goals: FhirResource[]) => {
    expect(hasUnreadSpo2Target(goals)).toBe(false);
  });
});
