// A Glasgow Coma Scale below 15 where ACVPU does not say the patient is not alert. NEWS2 scores ACVPU,
// and Vigil does not map GCS onto it (a clinical rule it does not make on its own); but the clinical
// safety review (2026-11-29) found GCS 3 with no ACVPU gave only an `info` card ("consciousness not
// charted"), and for morphine the same "not charted" as an unknown. A GCS below 15 is evidence the
// patient may not be alert, which would score 3: a reason to assess now, so at least a warning.
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import { consciousness, glasgowComaScale, LOINC, minutesAgo, normalSet } from '../support/fhir-examples.js';
import { hookApp, morphineOrdered, patientView } from '../support/hook-calls.js';

const ACVPU_LOINC = '67775-7';
const codeOf = (o: FhirResource) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code;

/** A normal set charted 30 min ago with no ACVPU at all. */
const withoutAcvpu = (): FhirResource[] => normalSet(minutesAgo(30)).filter((o) => codeOf(o) !== ACVPU_LOINC);
const gcs = (value: number, minutes = 5) => glasgowComaScale(value, { effectiveDateTime: minutesAgo(minutes) });
const alert = (minutes: number) =>
  consciousness({ system: LOINC, code: 'LA9340-6', display: 'Alert' }, { effectiveDateTime: minutesAgo(minutes) });

const app = hookApp();

describe('a GCS below 15 with no ACVPU, on patient-view', () => {
  it('raises the incomplete card to a warning and asks for ACVPU now, naming the GCS', async () => {
    const [card, ...rest] = await patientView(app(), [...withoutAcvpu(), gcs(8)]);
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toBe(
      'NEWS2 ≥ 0, incomplete: consciousness not charted — chart now · re-check consciousness (GCS 8/15, 5 min ago)',
    );
    expect(card!.detail).toContain(
      '- Consciousness: ACVPU is not charted, but a Glasgow Coma Scale of 8/15 was charted 5 min ago: the patient may not be alert, and NEWS2 scores new confusion, voice, pain or unresponsive 3 on its own. Assess and chart ACVPU now.',
    );
    expect(card!.extension['vigil.score'].gcsNotAlert).toEqual({ gcs: 8, at: minutesAgo(5) });
  });

  it('stays an info card asking for ACVPU when the GCS is 15 (the control)', async () => {
    const [card] = await patientView(app(), [...withoutAcvpu(), gcs(15)]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe('NEWS2 ≥ 0, incomplete: consciousness not charted — chart now');
    expect(card!.detail).not.toContain('may not be alert');
    expect(card!.extension['vigil.score'].gcsNotAlert).toBeUndefined();
  });

  it('shows a GCS below 15 charted after an alert ACVPU, where a complete NEWS2 0 gave no card', async () => {
    expect(await patientView(app(), normalSet(minutesAgo(30)))).toEqual([]);
    const [card] = await patientView(app(), [...normalSet(minutesAgo(30)), gcs(9)]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toBe('NEWS2 0: from the values that could be scored · re-check consciousness (GCS 9/15, 5 min ago)');
    expect(card!.detail).toContain('ACVPU was charted alert 30 min ago, but a Glasgow Coma Scale of 9/15 was charted 5 min ago');
    expect(card!.detail).not.toContain('Low clinical risk');
    expect(card!.extension['vigil.score'].gcsNotAlert).toEqual({ gcs: 9, at: minutesAgo(5), alertAt: minutesAgo(30) });
  });

  it('shows a newer preliminary GCS below 15, not verified, the same way (found by the second review)', async () => {
    const preliminary = glasgowComaScale(8, { effectiveDateTime: minutesAgo(5), status: 'preliminary' });
    const [card] = await patientView(app(), [...normalSet(minutesAgo(30)), preliminary]);
    expect(card!.indicator).toBe('warning');
    expect(card!.detail).toContain('a Glasgow Coma Scale of 8/15 (preliminary, not verified) was charted 5 min ago');
    expect(card!.extension['vigil.score'].gcsNotAlert).toEqual({
      gcs: 8,
      status: 'preliminary',
      at: minutesAgo(5),
      alertAt: minutesAgo(30),
    });
    const [sedation] = await morphineOrdered(app(), [...normalSet(minutesAgo(30)), preliminary]);
    expect(sedation!.detail).toContain('- Glasgow Coma Scale 8/15 (preliminary) charted 5 min ago');
  });

  it('is not silenced by a newer preliminary GCS of 15 (the review of the change)', async () => {
    const preliminary15 = glasgowComaScale(15, { effectiveDateTime: minutesAgo(5), status: 'preliminary' });
    const [card] = await patientView(app(), [...withoutAcvpu(), gcs(8, 10), preliminary15]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain('re-check consciousness (GCS 8/15, 10 min ago)');
  });

  it('says "no current, verified ACVPU" when only an out-of-date one exists', async () => {
    const [card] = await patientView(app(), [...withoutAcvpu(), alert(14 * 60), gcs(8)]);
    expect(card!.detail).toContain('- Consciousness: no current, verified ACVPU is charted, but a Glasgow Coma Scale of 8/15');
  });

  it('names the GCS on a sedative card even when no vital sign is recent enough to score', async () => {
    const [card] = await morphineOrdered(app(), [gcs(8)]);
    expect(card!.summary).toMatch(/breathing cannot be judged — no verified vital signs/);
    expect(card!.detail).toContain('- Glasgow Coma Scale 8/15 charted 5 min ago (ACVPU not charted): may not be alert');
  });

  it('takes the worse of an alert ACVPU and a GCS below 15 charted at the same moment', async () => {
    const [card] = await patientView(app(), [...normalSet(minutesAgo(30)), gcs(8, 30)]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain('re-check consciousness (GCS 8/15, 30 min ago)');
  });

  it('leaves an alert ACVPU charted after the GCS as the newer judgement', async () => {
    const set = [...withoutAcvpu(), alert(5), gcs(13, 30)];
    expect(await patientView(app(), set)).toEqual([]);
  });
});

describe('a GCS below 15 with no ACVPU, when morphine is ordered', () => {
  it('is a reason of its own (at risk), not only "consciousness not charted"', async () => {
    const [card] = await morphineOrdered(app(), [...withoutAcvpu(), gcs(8)]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toMatch(/^Opioid \(morphine\) ordered: respiratory depression risk — Glasgow Coma Scale 8\/15 charted 5 min ago/);
    expect(card!.detail).toContain(
      '- Glasgow Coma Scale 8/15 charted 5 min ago (ACVPU not charted): may not be alert, assess before the first dose',
    );
    expect(card!.detail).toContain('- consciousness not charted in the last 12 h');
  });

  it('says breathing cannot be judged, without the GCS reason, when the GCS is 15', async () => {
    const [card] = await morphineOrdered(app(), [...withoutAcvpu(), gcs(15)]);
    expect(card!.summary).toMatch(/^Opioid \(morphine\) ordered: breathing cannot be judged/);
    expect(card!.detail).not.toContain('Glasgow Coma Scale 15/15 charted');
  });
});
