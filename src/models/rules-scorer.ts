// The rules-only DeteriorationScorer: NEWS2 and qSOFA, no model. Always available, so it is both the
// scorer when no model is configured and the fallback the model scorer returns to.
import type { DeteriorationScorer, RiskAssessment } from './scorer.js';
import type { PatientInputs } from '../domain/vital-signs.js';
import { scoreNews2 } from '../fallback-rules/news2.js';
import { scoreQsofa } from '../fallback-rules/qsofa.js';

/** NEWS2 and qSOFA alone: the assessment when no model runs (pure). */
export function rulesAssessment(inputs: PatientInputs): RiskAssessment {
  return { path: 'rules', news2: scoreNews2(inputs), qsofa: scoreQsofa(inputs), modelStatus: { state: 'not-configured' } };
}

export function createRulesScorer(): DeteriorationScorer {
  return {
    // Pure and synchronous underneath; async to fit the seam the model scorer needs, and so that any
    // throw arrives as a rejection the caller already handles.
    async assess(inputs: PatientInputs): Promise<RiskAssessment> {
      return rulesAssessment(inputs);
    },
    describe: () => ({ model: 'not-configured', mode: 'off' }),
    close: () => Promise.resolve(),
  };
}
