// The model's answer in clinicians' words: its risk over its window, and the factors that moved it
// most from "normal physiology", each with its value (Tonekaboni et al., MLHC 2019: clinicians want
// per-patient contributing factors, in plain words, beside the familiar score).
import type { ModelPrediction, ModelStatus } from '../models/scorer.js';
import { displayUnit, featureLabel } from './labels.js';

/** Contributions smaller than this (log-odds) do not move the risk enough to be worth a line. */
const NOTABLE_LOG_ODDS = 0.1;
const MAX_FACTORS = 3;

export function formatProbability(p: number): string {
  const pct = p * 100;
  if (pct < 1) return '< 1 %';
  if (pct > 99) return '> 99 %';
  return `${Math.round(pct)} %`;
}

function formatFeatureValue(feature: string, value: number, unit: string | undefined): string {
  if (feature === 'onOxygen') return value >= 0.5 ? 'on oxygen' : 'on air';
  if (feature === 'consciousnessNotAlert') return value >= 0.5 ? 'not alert' : 'alert';
  const u = displayUnit(unit);
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (u === '' || u === '1') return shown;
  return u === '%' || u.startsWith('/') ? `${shown}${u}` : `${shown} ${u}`;
}

/** "Respiratory rate 30/min: the largest factor, raises risk" lines, largest first. */
export function modelFactorLines(model: ModelPrediction): string[] {
  const notable = model.contributions
    .filter((c) => Math.abs(c.logOdds) >= NOTABLE_LOG_ODDS)
    .sort((a, b) => Math.abs(b.logOdds) - Math.abs(a.logOdds))
    .slice(0, MAX_FACTORS);
  return notable.map((c, i) => {
    const direction = c.logOdds > 0 ? 'raises risk' : 'lowers risk';
    const rank = i === 0 ? 'the largest factor, ' : '';
    const imputed = c.imputed ? ' (not charted: normal value assumed)' : '';
    return `- ${featureLabel(c.feature)} ${formatFeatureValue(c.feature, c.value, c.unit)}${imputed}: ${rank}${direction}`;
  });
}

export function modelSection(model: ModelPrediction): string {
  const head =
    `**Model: ${formatProbability(model.probability)} risk of ${model.outcome} within ${model.outcomeWindowHours} h ` +
    `(${model.band}).** ${model.name} ${model.version}, trained on synthetic data and not clinically validated.`;
  const factors = modelFactorLines(model);
  return factors.length > 0 ? `${head}\n\n${factors.join('\n')}` : `${head}\n\nNo single factor stands out from normal physiology.`;
}

/** Said on every card the model did not score, so nobody mistakes a NEWS2-only card for the model's. */
export function modelStatusNote(status: ModelStatus): string | undefined {
  switch (status.state) {
    case 'used':
    case 'not-configured':
      return undefined;
    case 'unavailable':
      return `Model unavailable: NEWS2 only (${status.reason}).`;
    case 'insufficient-data':
      return `Model not used: NEWS2 only (${status.reason}).`;
  }
}
