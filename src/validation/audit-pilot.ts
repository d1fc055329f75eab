// Silent-pilot evaluation: instead of re-scoring an export, reads what Vigil actually said on each
// call from its audit trail (NEWS2, and the model's estimate whether shown or silent) and joins it
// with outcomes keyed by the same patient hash (HMAC-SHA-256 with the audit key), so a site measures
// the pilot it ran. One group per model name, version and mode: silent and active side by side, and a
// candidate beside the primary (each record lists every model that scored the call).
import type { AuditRecord } from '../audit/audit-record.js';
import type { News2Risk } from '../fallback-rules/types.js';
import type { ModelBand } from '../models/scorer.js';
import type { EvaluationRow, Severity } from './evaluate.js';
import type { OutcomeIndex } from './outcomes.js';
import { Tally, type TallyRow } from './tally.js';

/** The early-warning service; sedation-safety records score the same patient for another question. */
export const DEFAULT_PILOT_SERVICE = 'deterioration-risk';

const RISKS: ReadonlySet<string> = new Set<News2Risk>(['none', 'low', 'low-medium', 'medium', 'high']);
const BANDS: ReadonlySet<string> = new Set<ModelBand>(['low', 'medium', 'high']);
const SHOWN_SEVERITY: Readonly<Record<string, Severity>> = { critical: 2, warning: 1, info: 0 };

export interface PilotGroup {
  name: string;
  version: string;
  /** silent (scored, never shown) or active (shown where the estimate could be). */
  mode: string;
  calls: number;
  /** Calls where the model gave an estimate: the rows evaluated. */
  rows: EvaluationRow[];
}

export interface PilotRead {
  records: number;
  services: { service: string; records: number; evaluated: boolean }[];
  skipped: TallyRow[];
  /** Calls answered with no model estimate (NEWS2 alone), by model status. */
  withoutEstimate: TallyRow[];
  /** Outcome patients seen in the evaluated records: 0 means the outcome list is keyed differently. */
  outcomePatientsMatched: number;
  groups: PilotGroup[];
}

export interface PilotOptions {
  windowHours: number;
  /** A service id, or "all". */
  service: string;
}

export async function readPilot(records: AsyncIterable<AuditRecord>, outcomes: OutcomeIndex, options: PilotOptions): Promise<PilotRead> {
  const skipped = new Tally();
  const withoutEstimate = new Tally();
  const services = new Map<string, number>();
  const groups = new Map<string, PilotGroup>();
  const outcomePatients = outcomes.patients;
  const matched = new Set<string>();
  let total = 0;
  for await (const record of records) {
    total++;
    services.set(record.service, (services.get(record.service) ?? 0) + 1);
    if (options.service !== 'all' && record.service !== options.service) continue;
    if (record.news2 === undefined) {
      skipped.add(record.unscoredReason !== undefined ? `not scored (${record.unscoredReason})` : 'not scored');
      continue;
    }
    if (!RISKS.has(record.news2.risk)) {
      skipped.add('NEWS2 risk not recognised');
      continue;
    }
    const model = record.model;
    if (model?.probability === undefined) {
      withoutEstimate.add(model === undefined ? 'no model configured' : `model ${record.modelStatus ?? 'gave no estimate'}`);
    }
    // Every model that scored the call (a candidate beside the primary: both versions on the same
    // patients), or the one model of records written before `models` existed.
    const scoredBy = record.models ?? (model !== undefined ? [model] : []);
    const at = Date.parse(record.at);
    for (const entry of scoredBy) {
      if (entry.probability === undefined) continue;
      if (entry.band === undefined || !BANDS.has(entry.band)) {
        skipped.add('model band not recognised');
        continue;
      }
      const mode = entry.mode ?? 'mode not recorded';
      const key = `${entry.name}\u0000${entry.version}\u0000${mode}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { name: entry.name, version: entry.version, mode, calls: 0, rows: [] };
        groups.set(key, group);
      }
      group.calls++;
      if (outcomePatients.has(record.patient)) matched.add(record.patient);
      group.rows.push({
        patient: record.patient,
        at,
        label: outcomes.eventWithin(record.patient, at, options.windowHours),
        news2Total: record.news2.total,
        news2Risk: record.news2.risk as News2Risk,
        probability: entry.probability,
        modelBand: entry.band as ModelBand,
        // Active: the band raised the card only where the estimate was shown. Silent: what it would
        // have done had it been active (the record cannot say which estimates would have been hidden).
        modelCounts: entry.mode === 'active' ? entry.shown === true : true,
        shown: SHOWN_SEVERITY[record.indicator ?? 'info'] ?? 0,
      });
    }
  }
  const ordered = [...groups.values()].sort((a, b) =>
    `${a.name} ${a.version} ${a.mode}`.localeCompare(`${b.name} ${b.version} ${b.mode}`, 'en'),
  );
  for (const g of ordered) g.rows.sort((a, b) => (a.patient < b.patient ? -1 : a.patient > b.patient ? 1 : a.at - b.at));
  return {
    records: total,
    services: [...services.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([service, n]) => ({ service, records: n, evaluated: options.service === 'all' || service === options.service })),
    skipped: skipped.rows(),
    withoutEstimate: withoutEstimate.rows(),
    outcomePatientsMatched: matched.size,
    groups: ordered,
  };
}
