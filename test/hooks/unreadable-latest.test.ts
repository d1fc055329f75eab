// A newer value that could not be read must never leave an older, calmer one to speak for the patient:
// the score then rests on the older value, and the card must say so (clinical safety review,
// 2026-11-29: a full normal set 30 min ago and a newer RR 30 in an unrecognised unit gave no card;
// for morphine, a newer RR 8 gave no card).
import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../src/fhir/resources.js';
import { minutesAgo, normalSet, respiratoryRate, UCUM } from '../support/fhir-examples.js';
import { hookApp, morphineOrdered as morphineOrderedCall, patientView as patientViewCall } from '../support/hook-calls.js';

/** A complete set scoring NEWS2 0, charted 30 min ago. */
const wellSet = (): FhirResource[] => normalSet(minutesAgo(30));

/** A respiratory rate charted 5 min ago in a unit Vigil does not recognise. */
const unreadableRr = (value: number) =>
  respiratoryRate({ value, unit: 'breaths per minute', system: UCUM, code: 'breaths per minute' }, { effectiveDateTime: minutesAgo(5) });

const app = hookApp();

const patientView = (observations: FhirResource[]) => patientViewCall(app(), observations);
const morphineOrdered = (observations: FhirResource[]) => morphineOrderedCall(app(), observations);

describe('a newer value that could not be read', () => {
  it('is silent for a complete, current normal set (the control)', async () => {
    expect(await patientView(wellSet())).toEqual([]);
  });

  it('makes a card that says the score rests on older values and asks for a re-check, where there was none', async () => {
    const [card, ...rest] = await patientView([...wellSet(), unreadableRr(30)]);
    expect(rest).toEqual([]);
    expect(card!.indicator).toBe('info');
    expect(card!.summary).toBe('NEWS2 0: from older values: a newer one is unreadable · re-check RR (5 min ago, unreadable)');
    expect(card!.detail).toContain(
      '**No response band yet:** NEWS2 from the values that could be read is 0, but a newer value below could not be read',
    );
    expect(card!.detail).toContain(
      '- Respiratory rate: a newer value, charted 5 min ago, could not be used (unit "breaths per minute" is not a recognised unit); NEWS2 uses the one charted 30 min ago, which may no longer hold.',
    );
    expect(card!.detail).not.toContain('Low clinical risk');
    expect(card!.extension['vigil.score'].unreadable).toEqual([
      { parameter: 'respiratoryRate', at: minutesAgo(5), scoredAt: minutesAgo(30) },
    ]);
  });

  it('does not count an unreadable value older than the one scored', async () => {
    const old = respiratoryRate(
      { value: 30, unit: 'breaths per minute', system: UCUM, code: 'breaths per minute' },
      { effectiveDateTime: minutesAgo(90) },
    );
    expect(await patientView([...wellSet(), old])).toEqual([]);
  });

  it('keeps a sedative from being ordered silently: breathing cannot be judged from the older rate', async () => {
    const [card] = await morphineOrdered([...wellSet(), unreadableRr(8)]);
    expect(card?.indicator).toBe('warning');
    expect(card?.detail).toContain('the latest respiratory rate, charted 5 min ago, could not be used');
  });

  it('says "charted but not usable", not "not charted", when every respiratory rate in the window is unusable', async () => {
    const set = wellSet().filter((o) => (o['code'] as { coding: { code: string }[] }).coding[0]!.code !== '9279-1');
    const [card] = await morphineOrdered([...set, unreadableRr(8)]);
    expect(card?.detail).toContain('respiratory rate charted but not usable in the last 12 h');
    expect(card?.detail).not.toContain('respiratory rate not charted');
  });
});
