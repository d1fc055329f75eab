// A calm band beside a value that must be re-checked reads as reassurance the data do not give (H13).
// The fourth clinical safety review (2026-11-29) found it for NEWS2 1–4: NEWS2 1 beside a preliminary
// RR 30 charted 5 min ago read "Low clinical risk. Ward-based response …", and the card recommended
// observations "at least 4-hourly" rather than a full set now.
import { describe, expect, it } from 'vitest';
import { bodyTemperature, heartRate, minutesAgo, normalSet, respiratoryRate } from '../support/fhir-examples.js';
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
    expect(card!.summary).toMatch(/^NEWS2 1: at least ward-based assessment · re-check RR 30\/min/);
    // The floor the verified values already call for, without the band's calm name.
    expect(card!.detail).toContain(
      '**At least a ward-based response now:** NEWS2 from verified, current values is 1: a registered nurse assesses the patient',
    );
    expect(card!.detail).toContain('Re-check the values below first: they may call for more.');
    expect(card!.detail).not.toContain('Low clinical risk');
    expect(card!.detail).not.toContain('low clinical risk');
    const suggestions = (card as unknown as { suggestions: { label: string; isRecommended?: boolean }[] }).suggestions;
    expect(suggestions[0]).toMatchObject({ label: 'Record a full set of observations now', isRecommended: true });
  });

  it('names what makes it a warning when no single value scores 3: NEWS2 if the unverified values stand', async () => {
    const preliminary = { status: 'preliminary', effectiveDateTime: minutesAgo(5) };
    const [card] = await patientView(app(), [...scoredOne(), bodyTemperature(39.5, preliminary), respiratoryRate(22, preliminary)]);
    expect(card!.indicator).toBe('warning');
    expect(card!.summary).toContain(
      'NEWS2 1: at least ward-based assessment · re-check out-of-date or unverified values (NEWS2 5 if they stand)',
    );
  });

  it('keeps the band and its response with nothing to re-check (the control)', async () => {
    const [card] = await patientView(app(), scoredOne());
    expect(card!.detail).toContain('**Low clinical risk.** Ward-based response');
    const suggestions = (card as unknown as { suggestions: { label: string; isRecommended?: boolean }[] }).suggestions;
    expect(suggestions[0]).toMatchObject({ label: 'Increase observation frequency to at least 4-hourly', isRecommended: true });
  });
});
