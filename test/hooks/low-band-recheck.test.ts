// A calm band beside a value that must be re-checked reads as reassurance the data do not give (H13).
// The fourth clinical safety review (2026-11-29) found it for NEWS2 1–4: NEWS2 1 beside a preliminary
// RR 30 charted 5 min ago read "Low clinical risk. Ward-based response …", and the card recommended
// observations "at least 4-hourly" rather than a full set now.
import { describe, expect, it } from 'vitest';
import { heartRate, minutesAgo, normalSet, respiratoryRate } from '../support/fhir-examples.js';
import { hookApp, patientView } from '../support/hook-calls.js';

const app = hookApp();
const scoredOne = () => normalSet(minutesAgo(30), [heartRate(95, { effectiveDateTime: minutesAgo(30) })]);

describe('NEWS2 1–4 beside a value to re-check', () => {
  it('prints no low-risk band, and recommends a full set of observations now', async () => {
    const [card] = await patientView(app(), [
      ...scoredOne(),
      respiratoryRate(30, { status: 'preliminary', effectiveDateTime: minutesAgo(5) }),
    ]);
    expect(card!.indicator).toBe('warning');
    expect(card!.detail).toContain(
      '**No response band yet:** NEWS2 from verified, current values is 1 (low clinical risk), but the values below must be re-checked first.',
    );
    expect(card!.detail).not.toContain('Ward-based response');
    const suggestions = (card as unknown as { suggestions: { label: string; isRecommended?: boolean }[] }).suggestions;
    expect(suggestions[0]).toMatchObject({ label: 'Record a full set of observations now', isRecommended: true });
  });

  it('keeps the band and its response with nothing to re-check (the control)', async () => {
    const [card] = await patientView(app(), scoredOne());
    expect(card!.detail).toContain('**Low clinical risk.** Ward-based response');
    const suggestions = (card as unknown as { suggestions: { label: string; isRecommended?: boolean }[] }).suggestions;
    expect(suggestions[0]).toMatchObject({ label: 'Increase observation frequency to at least 4-hourly', isRecommended: true });
  });
});
