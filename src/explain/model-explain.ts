// The model's answer in clinicians' words, always second to NEWS2: its risk over its window, what it
// was trained on, the factors that moved it most from "normal physiology" with their values
// (Tonekaboni et al., MLHC 2019: clinicians want per-patient contributing factors, in plain words,
// beside the familiar score), and the inputs it had to assume because they were not charted.
import type { ModelPrediction, ModelStatus } from '../models/scorer.js';
import { displayUnit, featureLabel } from '../domain/labels.js';

/** Contributions smaller than this (log-odds) do not move the risk enough to be worth a line. */
const NOTABLE_LOG_ODDS = 0.1;
const MAX_FACTORS = 3;

export function formatProbability(p: number): string {
  const pct = p * 100;
  if (pct < 1) return '< 1 %';
  if (pct > 99) return '> 99 %';
  return `${Math.round(pct)} %`;
}

/** "synthetic" whenever the model says it was trained on synthetic data: in the summary and the detail. */
export function isSynthetic(model: Pick<ModelPrediction, 'trainingData'>): boolean {
  return model.trainingData === 'synthetic';
}

/** The model's estimate as the summary line carries it, after NEWS2: "model (synthetic) 31 % in 24 h". */
export function modelSummary(model: ModelPrediction): string {
  return `model${isSynthetic(model) ? ' (synthetic)' : ''} ${formatProbability(model.probability)} in ${model.outcomeWindowHours} h`;
}

function formatFeatureValue(feature: string, value: number, unit: string | undefined): string {
  if (feature === 'onOxygen') return value >= 0.5 ? 'on oxygen' : 'on air';
  if (feature === 'consciousnessNotAlert') return value >= 0.5 ? 'not alert' : 'alert';
  const u = displayUnit(unit);
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (u === '' || u === '1') return shown;
  return u === '%' || u.startsWith('/') ? `${shown}${u}` : `${shown} ${u}`;
}

/** Yes/no inputs, which a factor line names by their state alone. */
const YES_NO_FEATURES: ReadonlySet<string> = new Set(['onOxygen', 'consciousnessNotAlert']);

/**
 * "Respiratory rate 30/min", and for a yes/no input its state alone ("Not alert", "On air"): heading
 * it by its label as well read "Not alert not alert" (clinical safety review, 2026-11-29).
 */
function factorWords(feature: string, value: number, unit: string | undefined): string {
  const shown = formatFeatureValue(feature, value, unit);
  return YES_NO_FEATURES.has(feature) ? `${shown.charAt(0).toUpperCase()}${shown.slice(1)}` : `${featureLabel(feature)} ${shown}`;
}

/** "Respiratory rate 30/min: the largest factor, raises risk" lines, largest first; charted inputs only. */
export function modelFactorLines(model: ModelPrediction): string[] {
  const notable = model.contributions
    .filter((c) => !c.imputed && Math.abs(c.logOdds) >= NOTABLE_LOG_ODDS)
    .sort((a, b) => Math.abs(b.logOdds) - Math.abs(a.logOdds))
    .slice(0, MAX_FACTORS);
  return notable.map((c, i) => {
    const direction = c.logOdds > 0 ? 'raises risk' : 'lowers risk';
    const rank = i === 0 ? 'the largest factor, ' : '';
    return `- ${factorWords(c.feature, c.value, c.unit)}: ${rank}${direction}`;
  });
}

/** Inputs the model assumed because they were not charted, each with the value it assumed. */
export function assumedInputsLine(model: ModelPrediction): string | undefined {
  const assumed = model.contributions.filter((c) => c.imputed);
  if (assumed.length === 0) return undefined;
  const list = assumed.map((c) => `${featureLabel(c.feature).toLowerCase()} (assumed ${formatFeatureValue(c.feature, c.value, c.unit)})`);
  return `Not charted, so the model assumed a typical value: ${list.join(', ')}.`;
}

/** How the model's band sits beside NEWS2's, in words that never make NEWS2's response calmer. */
export type ModelBeside = 'agrees' | 'lower' | 'raises';

export function modelSection(model: ModelPrediction, beside: ModelBeside, raisedTo?: string): string {
  const trained = isSynthetic(model)
    ? 'trained on synthetic data and not clinically validated'
    : `trained on ${model.trainingData ?? 'its developer’s'} data`;
  const band = model.band === 'low' ? '' : ` (${model.band} band)`;
  const head =
    `**Model, beside NEWS2: ${formatProbability(model.probability)} risk of ${model.outcome} within ${model.outcomeWindowHours} h${band}.** ` +
    `${model.name} ${model.version}, ${trained}.`;
  const lines = [head];
  if (model.bandsInUse.length === 0) {
    lines.push(
      'This model raises no alerts of its own (its alert thresholds are off: on validation, the alerts it would add were not as often right as NEWS2’s). NEWS2 decides the response.',
    );
  } else if (beside === 'lower') {
    lines.push('The model estimates less risk than NEWS2 indicates: act on NEWS2. The model never lowers the response.');
  }
  if (beside === 'raises' && raisedTo !== undefined) {
    lines.push(`This card is ${raisedTo} because the model's estimate is in its ${model.band} band, above what NEWS2 alone indicates.`);
  }
  const factors = modelFactorLines(model);
  lines.push(factors.length > 0 ? factors.join('\n') : 'No single charted factor stands out from normal physiology.');
  const assumed = assumedInputsLine(model);
  if (assumed !== undefined) lines.push(assumed);
  return lines.join('\n\n');
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
