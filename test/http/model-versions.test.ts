// Two model versions served side by side through the real app: a canary and the primary, compared
// in the audit trail (each call's serving model and the other beside it), in metrics (a
// model_version label on scores, cards and feedback), in /readyz, and in discovery's description
// only where a model changes what a clinician sees.
import { rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { deteriorationRisk } from '../../src/hooks/deterioration-risk.js';
import { sedationSafety } from '../../src/hooks/sedation-safety.js';
import { keyedHash } from '../../src/identity/keyed-hash.js';
import { createScorer, SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import { canaryBucket, modelSettings } from '../../src/models/model-registry.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { criticalCall } from '../observability/hook-calls.js';
import { FIXED_NOW, testApp, testConfig } from '../support/app.js';
import { SHIPPED_VERSION, tempDir, writeVariant } from '../models/variants.js';

const KEY = 'test-only-audit-key-0123456789abcdef';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const CANDIDATE = '2.1.0-rc.1';

let dir: string;
let candidate: string;
beforeAll(async () => {
  dir = await tempDir();
  candidate = await writeVariant(dir, 'candidate.onnx', { version: CANDIDATE });
  return () => rm(dir, { recursive: true, force: true });
});

let app: FastifyInstance | undefined;
let closeScorer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await app?.close();
  await closeScorer?.();
  app = closeScorer = undefined;
});

async function serve(env: Record<string, string>, withTrail = false) {
  const scorer = await createScorer(testConfig(env), quiet);
  closeScorer = () => scorer.close();
  const metrics = createMetrics();
  const trail = withTrail
    ? await openAuditTrail(testConfig({ VIGIL_DATA_DIR: `${dir}/data-${Date.now()}`, VIGIL_AUDIT_HMAC_KEY: KEY }), quiet, {
        clock: () => FIXED_NOW,
      })
    : undefined;
  app = await testApp(
    { scorer, metrics, keyed: keyedHash(KEY), ...(trail !== undefined ? { recorder: trail.recorder, issuedCards: trail.issued } : {}) },
    { VIGIL_REPEAT_CARD_POLICY: 'off' },
  );
  return { scorer, metrics, trail, app };
}

const CANARY = { VIGIL_MODEL_MODE: 'active', VIGIL_CANDIDATE_MODEL_PATH: '', VIGIL_CANDIDATE_MODE: 'canary', VIGIL_CANARY_PERCENT: '50' };

describe('a canary beside the primary, through the app', () => {
  it('records both versions on every call, the serving one chosen by the keyed patient hash, and labels metrics and feedback by version', async () => {
    const { trail, metrics } = await serve({ ...CANARY, VIGIL_CANDIDATE_MODEL_PATH: candidate }, true);
    const keyed = keyedHash(KEY);
    const uuids = new Map<string, string>();
    for (let i = 0; i < 24; i++) {
      const patientId = `syn-canary-patient-${i}`;
      const call = criticalCall({ patientId });
      const res = await app!.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: call.body });
      expect(res.statusCode).toBe(200);
      const expected = canaryBucket(keyed.pseudonym(patientId)) < 50 ? CANDIDATE : SHIPPED_VERSION;
      uuids.set(expected, res.json().cards[0].uuid);
    }
    const records: AuditRecord[] = [];
    for await (const r of trail!.store.read()) records.push(r);
    expect(records).toHaveLength(24);
    for (const r of records) {
      const canary = canaryBucket(r.patient) < 50;
      expect(r.model).toMatchObject(
        canary ? { role: 'candidate', version: CANDIDATE, mode: 'active' } : { role: 'primary', version: SHIPPED_VERSION, mode: 'active' },
      );
      expect(r.models?.map((m) => `${m.role} ${m.version} ${m.mode}`)).toEqual(
        canary
          ? [`candidate ${CANDIDATE} active`, `primary ${SHIPPED_VERSION} silent`]
          : [`primary ${SHIPPED_VERSION} active`, `candidate ${CANDIDATE} silent`],
      );
      expect(r.models?.every((m) => typeof m.probability === 'number')).toBe(true);
    }
    // Both serving versions occurred: the comparison has two sides.
    expect(new Set(records.map((r) => r.model?.version))).toEqual(new Set([SHIPPED_VERSION, CANDIDATE]));

    const text = await metrics.registry.metrics();
    for (const [version, mode] of [
      [SHIPPED_VERSION, 'active'],
      [SHIPPED_VERSION, 'silent'],
      [CANDIDATE, 'active'],
      [CANDIDATE, 'silent'],
    ]) {
      expect(text).toMatch(
        new RegExp(`vigil_model_probability_count\\{service="deterioration-risk",model_version="${version}",mode="${mode}"\\} [1-9]`),
      );
    }
    expect(text).toMatch(
      new RegExp(`vigil_cards_total\\{service="deterioration-risk",indicator="critical",model_version="${CANDIDATE}"\\} [1-9]`),
    );
    expect(text).toContain(`vigil_model_info{role="candidate",name="vigil-deterioration",version="${CANDIDATE}",mode="canary"} 1`);
    expect(text).toContain(`vigil_model_canary_percent{model_version="${CANDIDATE}"} 50`);

    // Feedback arrives with the card's uuid only: what Vigil remembers of that card labels it.
    const feedback = {
      feedback: [
        {
          card: uuids.get(CANDIDATE),
          outcome: 'overridden',
          outcomeTimestamp: FIXED_NOW.toISOString(),
          overrideReason: { reason: { code: 'already-escalated', system: 'https://vigil.example/override-reasons' } },
        },
      ],
    };
    const res = await app!.inject({ method: 'POST', url: '/cds-services/deterioration-risk/feedback', payload: feedback });
    expect(res.json()).toMatchObject({ stored: 1, unknownCards: 0 });
    expect(await metrics.registry.metrics()).toContain(
      `vigil_feedback_total{service="deterioration-risk",indicator="critical",model_version="${CANDIDATE}",outcome="overridden",override_reason="already-escalated"} 1`,
    );
  });

  it('shows each model’s role, name, version and mode in /readyz', async () => {
    await serve({ ...CANARY, VIGIL_CANDIDATE_MODEL_PATH: candidate });
    const res = await app!.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().models).toEqual([
      expect.objectContaining({
        role: 'primary',
        name: 'vigil-deterioration',
        version: SHIPPED_VERSION,
        mode: 'active',
        trainingData: 'synthetic',
      }),
      expect.objectContaining({ role: 'candidate', name: 'vigil-deterioration', version: CANDIDATE, mode: 'canary', canaryPercent: 50 }),
    ]);
  });
});

describe('discovery names the model only where it changes what a clinician sees', () => {
  const describedAs = async () => {
    const { services } = (await app!.inject({ method: 'GET', url: '/cds-services' })).json();
    return Object.fromEntries(services.map((s: { id: string; description: string }) => [s.id, s.description]));
  };

  it('silent: every description as defined', async () => {
    await serve({ VIGIL_MODEL_MODE: 'silent', VIGIL_CANDIDATE_MODEL_PATH: candidate, VIGIL_CANDIDATE_MODE: 'canary' });
    expect(await describedAs()).toEqual({
      'deterioration-risk': deteriorationRisk.description,
      'sedation-safety': sedationSafety.description,
    });
  });

  it('active, with a canary: the model, its version, that it is synthetic, and the canary with its share', async () => {
    await serve({ ...CANARY, VIGIL_CANDIDATE_MODEL_PATH: candidate, VIGIL_CANARY_PERCENT: '30' });
    const described = await describedAs();
    expect(described['deterioration-risk']).toBe(
      `${deteriorationRisk.description} Model in service: vigil-deterioration ${SHIPPED_VERSION} (synthetic, not clinically validated), its estimate shown on cards beside NEWS2. ` +
        `For 30 % of patients (a canary), vigil-deterioration ${CANDIDATE} (synthetic, not clinically validated) in its place.`,
    );
    // Sedation cards never show the model's estimate.
    expect(described['sedation-safety']).toBe(sedationSafety.description);
  });

  it('follows a reload: silent to active changes the description at once', async () => {
    const { scorer } = await serve({ VIGIL_MODEL_MODE: 'silent' });
    expect((await describedAs())['deterioration-risk']).toBe(deteriorationRisk.description);
    await scorer.reload(modelSettings(testConfig({ VIGIL_MODEL_MODE: 'active' }), SHIPPED_MODEL_PATH));
    expect((await describedAs())['deterioration-risk']).toContain(`Model in service: vigil-deterioration ${SHIPPED_VERSION}`);
  });
});
