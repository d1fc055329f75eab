// Chooses the scorer for this process at start-up: the ONNX model behind a breaker with NEWS2 as its
// fallback when a model is configured and loads, or the rules alone.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { createRulesScorer } from '../fallback-rules/rules-scorer.js';
import { noTelemetry, type Telemetry } from '../telemetry.js';
import type { DeteriorationScorer } from './scorer.js';

export async function createScorer(
  _config: Readonly<Config>,
  _log: FastifyBaseLogger,
  _telemetry: Telemetry = noTelemetry,
): Promise<DeteriorationScorer> {
  // The model scorer (issue 3) replaces this body; until then the rules answer every call.
  return createRulesScorer();
}
