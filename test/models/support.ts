// Shared by the model tests: the shipped model loaded once per file, patients as plain numbers, a
// telemetry spy and scorer settings short enough for breaker tests to run in milliseconds.
import { patientInputs, WELL, type Vitals } from '../support/patient-inputs.js';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import type { ModelScorerSettings } from '../../src/models/model-scorer.js';
import { loadOnnxModel, type LoadedModel } from '../../src/models/onnx-model.js';
import type { PatientInputs } from '../../src/domain/vital-signs.js';
import { noTelemetry, type Telemetry } from '../../src/telemetry.js';

export { WELL };

export function adult(vitals: Vitals, ageYears = 70, spo2Scale: 1 | 2 = 1): PatientInputs {
  return { ...patientInputs(vitals, { spo2Scale }), ageYears };
}

/** A patient NEWS2 scores 13: RR 30, SpO2 88 on oxygen, SBP 88, HR 135, voice, 39.5 °C. */
export const UNWELL: Vitals = {
  respiratoryRate: 30,
  spo2: 88,
  onOxygen: true,
  systolicBP: 88,
  heartRate: 135,
  consciousness: 'voice',
  temperature: 39.5,
};

export const FAST_SETTINGS: ModelScorerSettings = {
  cacheSize: 100,
  cacheTtlMs: 60_000,
  timeoutMs: 25,
  errorThresholdPercent: 50,
  volumeThreshold: 3,
  resetMs: 150,
};

export function loadShipped(): Promise<LoadedModel> {
  return loadOnnxModel(SHIPPED_MODEL_PATH);
}

export interface TelemetrySpy extends Telemetry {
  cache: boolean[];
  breaker: string[];
  inferences: number;
}

export function telemetrySpy(): TelemetrySpy {
  const spy: TelemetrySpy = {
    ...noTelemetry,
    cache: [],
    breaker: [],
    inferences: 0,
    predictionCache: (hit) => void spy.cache.push(hit),
    breakerState: (_name, state) => void spy.breaker.push(state),
    modelInference: () => void spy.inferences++,
  };
  return spy;
}

export { setTimeout as sleep } from 'node:timers/promises';
