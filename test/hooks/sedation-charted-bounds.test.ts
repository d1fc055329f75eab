// A value charted as a bound ("<85 %", "<=8/min") is decisive for NEWS2 (H22) and scored; the fifth
// clinical safety review (2026-11-29) found the sedation card then named the bound as if it were the
// measurement ("SpO2 85%"), where the true saturation is below 85 and may be far lower. Patient-view
// already wrote the bound; the sedation reasons now do too.
import { describe, expect, it } from 'vitest';
import { minutesAgo, normalSet, oxygenSaturation, respiratoryRate } from '../support/fhir-examples.js';
import { hookApp, morphineOrdered } from '../support/hook-calls.js';

const app = hookApp();

const bound = <T extends Record<string, unknown>>(observation: T, comparator: string): T => {
  (observation['valueQuantity'] as Record<string, unknown>)['comparator'] = comparator;
  return observation;
};

describe('breathing values charted as bounds, for a sedative', () => {
  it('names each as charted, bound and all', async () => {
    const at = { effectiveDateTime: minutesAgo(5) };
    const [card] = await morphineOrdered(app(), [
      ...normalSet(minutesAgo(30)),
      bound(oxygenSaturation(85, at), '<'),
      bound(respiratoryRate(8, at), '<='),
    ]);
    expect(card!.indicator).toBe('critical');
    expect(card!.detail).toContain('- respiratory rate <=8/min (≤ 8)');
    expect(card!.detail).toContain('- SpO2 <85%, below the target of 94 %');
  });

  it('names a plain value as before (the control)', async () => {
    const [card] = await morphineOrdered(app(), [...normalSet(minutesAgo(30)), respiratoryRate(8, { effectiveDateTime: minutesAgo(5) })]);
    expect(card!.detail).toContain('- respiratory rate 8/min (≤ 8)');
  });
});
