// Alert fatigue: the same card for the same patient again and again teaches clinicians to ignore
// decision support. Within a window (per patient and service; per drug on order-select), a repeat
// card whose risk has not risen is suppressed or downgraded to info, by policy. A rise in risk (a more
// severe colour, a higher NEWS2 within one colour, a parameter scoring more than it did or worse than
// its points can say, a new value to re-check, or a new reason) always shows at once. A critical card
// is never quietened, unless a clinician overrode that same card with a reason, and then only for the
// window.
import { fitSummary, INDICATOR_RANK, type Card, type Indicator } from '../cds-hooks/card-schema.js';
import type { ShownCard, SuppressionStore } from './suppression-store.js';
import { withFields } from '../lang/with-fields.js';
import { UNSCORED_REASONS } from '../sedation/breathing-risk.js';
import { acvpuLevel, extremeLevel, gcsBand, oxygenLevel } from './severity-bands.js';

export type RepeatPolicy = 'off' | 'downgrade' | 'suppress';

export interface RepeatSettings {
  policy: RepeatPolicy;
  windowMs: number;
}

/** What the rule did to one card, for metrics and the audit trail. */
export interface QuietenedCard {
  uuid: string;
  indicator: Indicator;
  action: 'suppressed' | 'downgraded';
  why: 'repeat-not-risen' | 'overridden-with-reason';
  /** When the card was last shown in full. */
  shownAt: string;
}

type Decision = { action: 'show' } | { action: 'suppressed' | 'downgraded'; why: QuietenedCard['why'] };

function news2Of(card: Card): { total?: unknown; partial?: unknown } | undefined {
  return (card.extension?.['vigil.score'] as { news2?: { total?: unknown; partial?: unknown } } | undefined)?.news2;
}

function news2TotalOf(card: Card): number | undefined {
  const total = news2Of(card)?.total;
  return typeof total === 'number' ? total : undefined;
}

const KNOWN_UNSCORED_REASONS: ReadonlySet<unknown> = new Set(UNSCORED_REASONS);

/**
 * What a card is concerned with, compactly: "acvpu=3,consciousness=3,heartRate=2,recheck:respiratoryRate".
 * Each NEWS2 parameter that scored (with its points), and severity the points cannot show
 * (severity-bands.ts): a value beyond its parameter's extreme cut-off (`extreme:respiratoryRate=1`), the
 * ACVPU level past confusion (`acvpu=1..3`, voice to unresponsive) and how much oxygen is needed
 * (`oxygen=1..2`). Each alarming unconfirmed value or value beyond the device's range, each newer value
 * that could not be read, a GCS that says the patient may not be alert (as a coarse band), what NEWS2
 * would be if unconfirmed values stand or on SpO2 scale 2 (a target recorded but unread), and on
 * sedation cards how many other sedatives are already prescribed or ordered, of which classes, and each
 * reason no NEWS2 point carries (`reason:spo2-target-88-92`). Names, points, totals, counts, classes,
 * codes and coarse levels only: never a measured value, an id or a drug.
 */
export function concernsOf(card: Card): string {
  const score = card.extension?.['vigil.score'] as
    | {
        news2?: {
          spo2Scale?: unknown;
          subscores?: { parameter?: unknown; points?: unknown; value?: unknown; flowLpm?: unknown; fio2Percent?: unknown }[];
        };
        unconfirmed?: { parameter?: unknown; points?: unknown }[];
        unreadable?: { parameter?: unknown }[];
        gcsNotAlert?: { gcs?: unknown };
        ifConfirmed?: { total?: unknown };
        ifScale2?: { total?: unknown };
        beyondRange?: { parameter?: unknown }[];
      }
    | undefined;
  const tokens: string[] = [];
  const spo2Scale = score?.news2?.spo2Scale;
  for (const s of score?.news2?.subscores ?? []) {
    if (typeof s.parameter !== 'string') continue;
    if (typeof s.points === 'number' && s.points > 0) tokens.push(`${s.parameter}=${s.points}`);
    // Levels are written only above 0, so an entry from before they existed compares as it did.
    if (extremeLevel(s.parameter, s.value, spo2Scale) > 0) tokens.push(`extreme:${s.parameter}=1`);
    if (s.parameter === 'consciousness') {
      const acvpu = acvpuLevel(s.value);
      if (acvpu > 0) tokens.push(`acvpu=${acvpu}`);
    } else if (s.parameter === 'supplementalOxygen' && s.value === true) {
      const oxygen = oxygenLevel(s.flowLpm, s.fio2Percent);
      if (oxygen > 0) tokens.push(`oxygen=${oxygen}`);
    }
  }
  for (const u of score?.unconfirmed ?? []) if (typeof u.parameter === 'string' && u.points === 3) tokens.push(`recheck:${u.parameter}`);
  for (const u of score?.unreadable ?? []) if (typeof u.parameter === 'string') tokens.push(`unreadable:${u.parameter}`);
  for (const b of score?.beyondRange ?? []) if (typeof b.parameter === 'string') tokens.push(`recheck:${b.parameter}`);
  if (score?.gcsNotAlert !== undefined) tokens.push('recheck:gcs');
  // Numbers where higher is worse: NEWS2 if the unconfirmed values stand, and a GCS's band.
  const ifConfirmed = score?.ifConfirmed?.total;
  if (typeof ifConfirmed === 'number') tokens.push(`ifConfirmed=${ifConfirmed}`);
  const ifScale2 = score?.ifScale2?.total;
  if (typeof ifScale2 === 'number') tokens.push(`ifScale2=${ifScale2}`);
  const gcs = score?.gcsNotAlert?.gcs;
  if (typeof gcs === 'number') tokens.push(`gcsBand=${gcsBand(gcs)}`);
  // On a sedation card, each other sedative already prescribed is a reason of its own: a count, never the drug.
  const order = card.extension?.['vigil.order'] as
    { alreadyPrescribed?: unknown; otherSedativeClasses?: unknown; unscoredReasons?: unknown } | undefined;
  const prescribed = order?.alreadyPrescribed;
  if (typeof prescribed === 'number' && prescribed > 0) tokens.push(`alreadyPrescribed=${prescribed}`);
  // Third review (2026-11-29): lorazepam then zopiclone beside morphine, one each, was "unchanged".
  if (Array.isArray(order?.otherSedativeClasses))
    for (const c of order.otherSedativeClasses) if (typeof c === 'string') tokens.push(`with:${c}`);
  // Review 25a: a newly recorded 88–92 % target beside RR 10 on a morphine order was "no rise". Known codes only.
  if (Array.isArray(order?.unscoredReasons))
    for (const r of order.unscoredReasons) if (KNOWN_UNSCORED_REASONS.has(r)) tokens.push(`reason:${r as string}`);
  return [...new Set(tokens)].sort().join(',');
}

/**
 * True when `now` holds a concern `before` did not: a number higher (points, a level, a count; a name
 * `before` lacks counts as 0), or a new flag (a value to re-check, a class, a reason). Found by the
 * clinical safety review (2026-11-29): after a NEWS2 5 card for morphine, a new RR 9 (same colour, same
 * total) was downgraded to "No rise since …"; so was a new preliminary RR 5.
 */
function newConcern(now: string, before: string): boolean {
  const points = new Map<string, number>();
  const flags = new Set<string>();
  for (const token of before.split(',')) {
    const eq = token.indexOf('=');
    if (eq > 0) points.set(token.slice(0, eq), Number(token.slice(eq + 1)));
    else if (token !== '') flags.add(token);
  }
  return now
    .split(',')
    .filter((t) => t !== '')
    .some((token) => {
      const eq = token.indexOf('=');
      return eq > 0 ? Number(token.slice(eq + 1)) > (points.get(token.slice(0, eq)) ?? 0) : !flags.has(token);
    });
}

/** Pure: what to do with `card`, given what was last shown for the same patient and service. */
export function decide(card: Card, last: ShownCard | undefined, now: number, settings: RepeatSettings): Decision {
  if (settings.policy === 'off' || last === undefined || now - last.shownAt > settings.windowMs) return { action: 'show' };
  const total = news2TotalOf(card);
  const risen =
    INDICATOR_RANK[card.indicator] > INDICATOR_RANK[last.indicator] ||
    (card.indicator === last.indicator && total !== undefined && (last.news2Total === undefined || total > last.news2Total));
  if (risen) return { action: 'show' };
  // Entries written before concerns were kept carry none: judged by colour and total alone, as then.
  if (last.concerns !== undefined && newConcern(concernsOf(card), last.concerns)) return { action: 'show' };
  // An incomplete score is a minimum, so "not risen" cannot be said of it: a new incomplete card (values
  // that could not be read, or stopped being charted, after a complete one) always shows. Only the same
  // incomplete card again (same uuid: nothing material changed) counts as a repeat.
  if (news2Of(card)?.partial === true && card.uuid !== last.uuid) return { action: 'show' };
  if (card.indicator === 'critical') {
    const overridden = last.uuid === card.uuid && last.overriddenUntil !== undefined && last.overriddenUntil > now;
    return overridden ? { action: 'suppressed', why: 'overridden-with-reason' } : { action: 'show' };
  }
  return { action: settings.policy === 'suppress' ? 'suppressed' : 'downgraded', why: 'repeat-not-risen' };
}

/** The key of a card in the store: service, patient pseudonym, and the drug on sedation cards. */
export function repeatKey(service: string, patientPseudonym: string, card: Card): string {
  const drug = (card.extension?.['vigil.order'] as { ingredient?: unknown } | undefined)?.ingredient;
  return `${service}|${patientPseudonym}${typeof drug === 'string' ? `|${drug}` : ''}`;
}

function downgrade(card: Card, last: ShownCard, now: number): Card {
  const minutes = Math.max(1, Math.round((now - last.shownAt) / 60_000));
  // "Unchanged" only when it is: a card with other facts (a lower score, newer values) says what is true of it.
  const prefix = card.uuid === last.uuid ? `Unchanged since shown ${minutes} min ago` : `No rise since the card shown ${minutes} min ago`;
  const summary = `${prefix}: ${card.summary}`;
  // Cut at a word, never inside a value (integration review, 2026-11-29: "re-check RR 28/m…").
  return withFields(card, { indicator: 'info' as const, summary: fitSummary(summary) });
}

export interface RepeatOutcome {
  cards: Card[];
  quietened: QuietenedCard[];
  /** The cards to remember as shown, once the answer is certain to be given (`rememberShown`). */
  shown: { key: string; value: ShownCard }[];
}

/**
 * Decides, for one call's cards, which show, which are downgraded and which suppressed; remembers
 * nothing. A store that fails makes the rule show every card (fail open: a missed repeat is noise, a
 * missed card could be harm) and says so.
 */
export async function decideRepeats(
  cards: readonly Card[],
  at: { service: string; patientPseudonym: string; now: number },
  settings: RepeatSettings,
  store: SuppressionStore,
  onStoreError: (err: unknown) => void = () => {},
): Promise<RepeatOutcome> {
  if (settings.policy === 'off') return { cards: [...cards], quietened: [], shown: [] };
  const out: RepeatOutcome = { cards: [], quietened: [], shown: [] };
  for (const card of cards) {
    const key = repeatKey(at.service, at.patientPseudonym, card);
    let last: ShownCard | undefined;
    try {
      last = await store.get(key);
    } catch (err) {
      onStoreError(err);
      out.cards.push(card);
      continue;
    }
    const decision = decide(card, last, at.now, settings);
    if (decision.action === 'show') {
      out.cards.push(card);
      const total = news2TotalOf(card);
      const value: ShownCard = {
        uuid: card.uuid,
        indicator: card.indicator,
        shownAt: at.now,
        concerns: concernsOf(card),
        ...(total !== undefined ? { news2Total: total } : {}),
      };
      out.shown.push({ key, value });
      continue;
    }
    // `last` is defined here: only a card seen before can be quietened.
    const seen = last!;
    out.quietened.push({
      uuid: card.uuid,
      indicator: card.indicator,
      action: decision.action,
      why: decision.why,
      shownAt: new Date(seen.shownAt).toISOString(),
    });
    if (decision.action === 'downgraded') out.cards.push(downgrade(card, seen, at.now));
  }
  return out;
}

/**
 * Remembers the cards a call showed. Called only once the answer will be given: a call refused after
 * its cards were chosen (its audit record could not be written, 503) showed nothing, and a card
 * remembered for it would quieten the next call's as "unchanged since shown" though no clinician saw it
 * (found by the operations review, 2026-11-29: PostgreSQL down for one call, then the warning card
 * came back downgraded to info on the other replica).
 */
export async function rememberShown(
  outcome: Pick<RepeatOutcome, 'shown'>,
  settings: RepeatSettings,
  store: SuppressionStore,
  onStoreError: (err: unknown) => void = () => {},
): Promise<void> {
  for (const { key, value } of outcome.shown) await store.set(key, value, settings.windowMs).catch(onStoreError);
}

/** Decides and remembers at once: for callers with no answer to wait for (tests, tools). */
export async function applyRepeatRule(...args: Parameters<typeof decideRepeats>): Promise<RepeatOutcome> {
  const outcome = await decideRepeats(...args);
  const [, , settings, store, onStoreError] = args;
  await rememberShown(outcome, settings, store, onStoreError);
  return outcome;
}
