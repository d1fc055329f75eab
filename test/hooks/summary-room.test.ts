// What the 139-character summary keeps when many things are true at once (third clinical safety review,
// 2026-11-29): the response band and what to re-check, never a calm trend or model figure in their place.
import { describe, expect, it } from 'vitest';
import {
  bloodPressurePanel,
  heartRate,
  hoursAgo,
  minutesAgo,
  normalSet,
  oxygenSaturation,
  respiratoryRate,
  systolicStandalone,
  UCUM,
} from '../support/fhir-examples.js';
import { hookApp, morphineOrdered, patientView } from '../support/hook-calls.js';

const app = hookApp();

const preliminary = { effectiveDateTime: minutesAgo(5), status: 'preliminary' };

describe('the summary when many things are true at once', () => {
  it('keeps the re-check list, cut item by item, and no "unchanged" beside it', async () => {
    const observations = [
      ...normalSet(hoursAgo(4)),
      ...normalSet(minutesAgo(30)),
      respiratoryRate(6, preliminary),
      oxygenSaturation(84, preliminary),
      heartRate(135, preliminary),
      bloodPressurePanel(85, 50, preliminary),
    ];
    const [card] = await patientView(app(), observations);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary.length).toBeLessThanOrEqual(139);
    expect(card!.summary).toMatch(/^NEWS2 0: from verified values only · re-check RR 6\/min \(5 min ago, preliminary\), .* \+\d more$/);
    expect(card!.summary).not.toContain('unchanged');
  });

  it('keeps the response band when the list of missing parameters is long', async () => {
    const observations = [
      respiratoryRate(30, { effectiveDateTime: minutesAgo(10) }),
      oxygenSaturation(97, { effectiveDateTime: hoursAgo(20) }),
      systolicStandalone(120, { effectiveDateTime: minutesAgo(10) }),
    ].map((o) =>
      (o['code'] as { coding: { code: string }[] }).coding[0]!.code === '8480-6'
        ? { ...o, valueQuantity: { value: 120, unit: 'furlongs', system: UCUM, code: 'furlongs' } }
        : o,
    );
    const [card] = await patientView(app(), observations);
    expect(card!.summary.length).toBeLessThanOrEqual(139);
    expect(card!.summary).toMatch(/^NEWS2 ≥ 3, incomplete: 6 of 7 parameters missing — urgent/);
  });

  it('gives no trend for a mixed-age set: its earlier chart predates its newest values', async () => {
    const observations = [
      ...normalSet(hoursAgo(8), [
        respiratoryRate(30, { effectiveDateTime: hoursAgo(8) }),
        heartRate(135, { effectiveDateTime: hoursAgo(8) }),
      ]),
      ...normalSet(hoursAgo(3)),
      respiratoryRate(25, { effectiveDateTime: minutesAgo(10) }),
      oxygenSaturation(91, { effectiveDateTime: minutesAgo(10) }),
    ];
    const [card] = await patientView(app(), observations);
    expect(card!.summary).toMatch(/^NEWS2 6: /);
    expect(card!.summary).not.toMatch(/down from|unchanged since|up from/);
  });
});

describe('a child (NEWS2 is not validated under 16)', () => {
  const heartRate60 = () => normalSet(minutesAgo(30), [heartRate(60, { effectiveDateTime: minutesAgo(30) })]);

  it('gets a card that says so, never "Low clinical risk", where an adult with the same values gets none', async () => {
    expect(await patientView(app(), heartRate60())).toEqual([]);
    const [card] = await patientView(app(), heartRate60(), '2023-05-01');
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe('NEWS2 0: not validated under 16, use a paediatric score');
    expect(card!.detail).toContain('**Caution: the patient is under 16.**');
    expect(card!.detail).not.toContain('Low clinical risk');
  });

  // Fifth pass (2026-11-29): at NEWS2 1–4 a child read the adult band ("Low clinical risk … ward-based").
  it("keeps the nurse assessment as a floor at NEWS2 1–4, without the adult band's calm name", async () => {
    const rr22 = normalSet(minutesAgo(30), [respiratoryRate(22, { effectiveDateTime: minutesAgo(30) })]);
    const [adult] = await patientView(app(), rr22);
    expect(adult!.summary).toMatch(/^NEWS2 2: ward-based assessment/);
    const [card] = await patientView(app(), rr22, '2020-05-01');
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toMatch(/^NEWS2 2: at least ward-based assessment, use a paediatric score/);
    expect(card!.detail).toContain("**At least a ward-based response now:** NEWS2 is 2 on adults' bands");
    expect(card!.detail).not.toContain('Low clinical risk');
  });

  it('is not judged against adult breathing limits when a sedative is ordered', async () => {
    expect(await morphineOrdered(app(), heartRate60())).toEqual([]);
    const [card] = await morphineOrdered(app(), heartRate60(), null, { birthDate: '2023-05-01' });
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe(
      'Opioid (morphine) ordered: patient under 16: these breathing limits are for adults, judge with age-specific ranges',
    );
    expect(card!.detail).toContain("Judge this child's respiratory rate, SpO2 and conscious level against age-specific ranges");
    // A check Vigil could not make is no breathing finding: no continuous oximetry offered for it (fourth review).
    const suggestions = (card as unknown as { suggestions: { label: string }[] }).suggestions;
    expect(suggestions.map((s) => s.label)).toEqual(['Remove the morphine order']);
  });
});
