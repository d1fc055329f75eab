// The page every card links to: public, patient-free, and true to the model in service.
import { describe, expect, it } from 'vitest';
import { readModelCardHeadline } from '../../src/about/model-card-headline.js';
import { createScorer, SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { fixtureCall } from '../observability/hook-calls.js';
import { testApp, testConfig } from '../support/app.js';
import { tempDir, writeVariant } from '../models/variants.js';

const quiet = { info: () => {}, warn: () => {} };

describe('GET /about/{service}', () => {
  it('is linked from every card and served as HTML without a token', async () => {
    const call = fixtureCall('deterioration-risk/news2-high-critical', { patientId: 'syn-about-patient-77' });
    const app = await testApp({}, { VIGIL_AUTH: 'required' });
    const open = await testApp();
    const [card] = (await open.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body })).json().cards;
    await open.close();
    const link = card.links.find((l: { url: string }) => l.url.endsWith('/about/deterioration-risk'));
    expect(link).toMatchObject({ type: 'absolute', url: 'http://127.0.0.1:3000/about/deterioration-risk' });

    const res = await app.inject({ method: 'GET', url: '/about/deterioration-risk' });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('NEWS2 leads');
    expect(res.body).toContain('Emergency response');
    expect(res.body).toContain('How to override');
    expect(res.body).not.toContain('syn-about-patient-77');
  });

  it('says whether the model runs silently or is shown, that it is synthetic, and its model card headline', async () => {
    for (const mode of ['silent', 'active'] as const) {
      const scorer = await createScorer(testConfig({ VIGIL_MODEL_MODE: mode }), quiet);
      const headline = await readModelCardHeadline(SHIPPED_MODEL_PATH);
      const app = await testApp({ scorer, ...(headline !== undefined ? { modelCardHeadline: headline } : {}) });
      const page = (await app.inject({ method: 'GET', url: '/about/deterioration-risk' })).body;
      await app.close();
      await scorer.close();
      expect(page).toContain('synthetic data and not clinically validated');
      expect(page).toContain(mode === 'silent' ? 'It runs <b>silently</b>' : 'It is <b>active</b>');
      expect(headline).toMatch(/^Headline \(synthetic held-out patients\): AUROC model/);
      expect(page).toContain('AUROC model');
    }
  });

  it('names a canary and its share, and keeps the model card headline to the version it describes', async () => {
    const dir = await tempDir();
    const candidate = await writeVariant(dir, 'candidate.onnx', { version: '2.1.0' });
    const scorer = await createScorer(
      testConfig({
        VIGIL_MODEL_MODE: 'active',
        VIGIL_CANDIDATE_MODEL_PATH: candidate,
        VIGIL_CANDIDATE_MODE: 'canary',
        VIGIL_CANARY_PERCENT: '20',
      }),
      quiet,
    );
    const app = await testApp({ scorer, modelCardHeadline: 'Headline (synthetic held-out patients): AUROC model 0.855' });
    const page = async () => (await app.inject({ method: 'GET', url: '/about/deterioration-risk' })).body;
    try {
      const before = await page();
      expect(before).toContain('For 20 % of patients a newer version, <b>vigil-deterioration 2.1.0</b>');
      expect(before).toContain('AUROC model 0.855');
      // Promoted: the page follows, and the start-up model's headline no longer describes the model in service.
      await scorer.reload({ primary: { path: candidate, mode: 'active' } });
      const after = await page();
      expect(after).toContain('Model in service: <b>vigil-deterioration 2.1.0</b>');
      expect(after).not.toContain('For 20 % of patients');
      expect(after).not.toContain('AUROC model 0.855');
    } finally {
      await app.close();
      await scorer.close();
    }
  });

  it('says no model is in use when none is configured, and answers 404 for an unknown service', async () => {
    const app = await testApp();
    expect((await app.inject({ method: 'GET', url: '/about/sedation-safety' })).body).toContain('No learned model is in use here');
    const missing = await app.inject({ method: 'GET', url: '/about/no-such-service' });
    await app.close();
    expect(missing.statusCode).toBe(404);
    expect(missing.json().resourceType).toBe('OperationOutcome');
  });
});
