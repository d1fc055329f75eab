// The repeat-card rule as a table, and the in-process store under it, with the clock injected.
import { describe, expect, it } from 'vitest';
import type { Card, Indicator } from '../../src/cds-hooks/card-schema.js';
import { applyRepeatRule, concernsOf, decide, repeatKey, type RepeatSettings } from '../../src/suppression/repeat-cards.js';
import { createMemorySuppressionStore, type ShownCard, type SuppressionStore } from '../../src/suppression/suppression-store.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');
const DOWNGRADE: RepeatSettings = { policy: 'downgrade', windowMs: HOUR };
const SUPPRESS: RepeatSettings = { policy: 'suppress', windowMs: HOUR };

function card(indicator: Indicator, news2: number, uuid = `00000000-0000-8000-8000-00000000000${news2 % 10}`, partial = false): Card {
  return {
    uuid,
    summary: `NEWS2 ${partial ? '≥ ' : ''}${news2}`,
    indicator,
    source: { label: 'Vigil' },
    extension: { 'vigil.score': { news2: { total: news2, partial } } },
  };
}
const incomplete = (indicator: Indicator, news2: number, uuid: string) => card(indicator, news2, uuid, true);
const shown = (indicator: Indicator, news2: number, minutesAgo: number, extra: Partial<ShownCard> = {}): ShownCard => ({
  uuid: card(indicator, news2).uuid,
  indicator,
  news2Total: news2,
  shownAt: T0 - minutesAgo * 60_000,
  ...extra,
});

describe('what the rule does with a card', () => {
  it.each<[string, Card, ShownCard | undefined, RepeatSettings, string]>([
    ['a first card', card('warning', 5), undefined, DOWNGRADE, 'show'],
    ['a repeat within the window, risk unchanged', card('warning', 5), shown('warning', 5, 20), DOWNGRADE, 'downgraded'],
    ['the same, with policy suppress', card('warning', 5), shown('warning', 5, 20), SUPPRESS, 'suppressed'],
    ['a repeat with a lower score', card('warning', 5), shown('warning', 6, 20), SUPPRESS, 'suppressed'],
    ['a repeat after the window', card('warning', 5), shown('warning', 5, 61), SUPPRESS, 'show'],
    ['a higher NEWS2 within the same colour', card('warning', 6), shown('warning', 5, 5), SUPPRESS, 'show'],
    ['a more severe colour', card('critical', 7), shown('warning', 6, 5), SUPPRESS, 'show'],
    ['a repeat critical card', card('critical', 9), shown('critical', 9, 5), SUPPRESS, 'show'],
    [
      'a critical card a clinician overrode with a reason',
      card('critical', 9),
      shown('critical', 9, 5, { overriddenUntil: T0 + HOUR }),
      SUPPRESS,
      'suppressed',
    ],
    [
      'a critical card overridden, once the override window is over',
      card('critical', 9),
      shown('critical', 9, 5, { overriddenUntil: T0 - 1 }),
      SUPPRESS,
      'show',
    ],
    [
      'another critical card than the one overridden',
      card('critical', 8),
      shown('critical', 9, 5, { overriddenUntil: T0 + HOUR }),
      SUPPRESS,
      'show',
    ],
    ['anything, with the rule off', card('info', 2), shown('info', 2, 1), { policy: 'off', windowMs: HOUR }, 'show'],
    // An incomplete score is a minimum: a new one after a complete card cannot be called "not risen".
    ['an incomplete card after a critical one', incomplete('warning', 0, 'a'), shown('critical', 13, 1), SUPPRESS, 'show'],
    ['an incomplete card after a lower complete one', incomplete('info', 1, 'b'), shown('info', 2, 5), SUPPRESS, 'show'],
    [
      'the same incomplete card again',
      incomplete('warning', 3, 'c'),
      { uuid: 'c', indicator: 'warning', news2Total: 3, shownAt: T0 - 5 * 60_000 },
      SUPPRESS,
      'suppressed',
    ],
  ])('%s → %s', (_name, c, last, settings, action) => {
    expect(decide(c, last, T0, settings).action).toBe(action);
  });

  it('keys sedation cards by drug as well, and never by the patient id in clear', () => {
    const order = { ...card('warning', 5), extension: { 'vigil.order': { ingredient: 'morphine' } } };
    expect(repeatKey('sedation-safety', 'hmac-sha256:ab12', order)).toBe('sedation-safety|hmac-sha256:ab12|morphine');
    expect(repeatKey('deterioration-risk', 'hmac-sha256:ab12', card('info', 1))).toBe('deterioration-risk|hmac-sha256:ab12');
  });
});

describe('a new or worse concern within one colour and total', () => {
  /** A warning card, NEWS2 5, with these parameters scoring and these values to re-check or unreadable. */
  function concerned(
    subscores: Record<string, number>,
    extra: {
      recheck?: string[];
      unreadable?: string[];
      gcs?: number;
      ifConfirmed?: number;
      ifScale2?: number;
      alreadyPrescribed?: number;
    } = {},
  ): Card {
    const base = card('warning', 5);
    return {
      ...base,
      extension: {
        'vigil.score': {
          news2: { total: 5, partial: false, subscores: Object.entries(subscores).map(([parameter, points]) => ({ parameter, points })) },
          ...(extra.recheck ? { unconfirmed: extra.recheck.map((parameter) => ({ parameter, kind: 'unverified', points: 3 })) } : {}),
          ...(extra.unreadable ? { unreadable: extra.unreadable.map((parameter) => ({ parameter })) } : {}),
          ...(extra.gcs !== undefined ? { gcsNotAlert: { gcs: extra.gcs, at: '2026-11-23T11:55:00.000Z' } } : {}),
          ...(extra.ifConfirmed !== undefined ? { ifConfirmed: { total: extra.ifConfirmed, risk: 'high', partial: false } } : {}),
          ...(extra.ifScale2 !== undefined ? { ifScale2: { total: extra.ifScale2, risk: 'medium', spo2Points: 3 } } : {}),
        },
        ...(extra.alreadyPrescribed !== undefined
          ? { 'vigil.order': { ingredient: 'morphine', alreadyPrescribed: extra.alreadyPrescribed } }
          : {}),
      },
    };
  }
  const before = concerned({ heartRate: 3, temperature: 2 });
  const last = shown('warning', 5, 10, { concerns: concernsOf(before) });

  it('writes concerns as parameter names and points only', () => {
    expect(concernsOf(concerned({ heartRate: 3, spo2: 0 }, { recheck: ['respiratoryRate'], unreadable: ['spo2'] }))).toBe(
      'heartRate=3,recheck:respiratoryRate,unreadable:spo2',
    );
    // A GCS and another sedative are named by band and count only: never the exact score, never the drug.
    expect(concernsOf(concerned({ heartRate: 3 }, { gcs: 8, alreadyPrescribed: 1 }))).toBe(
      'alreadyPrescribed=1,gcsBand=3,heartRate=3,recheck:gcs',
    );
  });

  it.each<[string, Card, string]>([
    ['the same concerns', concerned({ heartRate: 3, temperature: 2 }), 'downgraded'],
    ['one parameter better, another newly scoring', concerned({ heartRate: 3, temperature: 1, spo2: 1 }), 'show'],
    [
      'a parameter now scoring (RR 9 after the card, for morphine)',
      concerned({ heartRate: 3, temperature: 1, respiratoryRate: 1 }),
      'show',
    ],
    ['a new value to re-check (a preliminary RR 5)', concerned({ heartRate: 3, temperature: 2 }, { recheck: ['respiratoryRate'] }), 'show'],
    ['a newer value that could not be read', concerned({ heartRate: 3, temperature: 2 }, { unreadable: ['respiratoryRate'] }), 'show'],
    ['a parameter scoring less, none more', concerned({ heartRate: 2, temperature: 2 }), 'downgraded'],
    ['a new GCS below 15 where ACVPU does not say not alert', concerned({ heartRate: 3, temperature: 2 }, { gcs: 8 }), 'show'],
    [
      'an SpO2 target that could not be read, where scale 2 would score NEWS2 8',
      concerned({ heartRate: 3, temperature: 2 }, { ifScale2: 8 }),
      'show',
    ],
    [
      'another sedative already prescribed (a new "already prescribed" reason on a sedation card)',
      concerned({ heartRate: 3, temperature: 2 }, { alreadyPrescribed: 1 }),
      'show',
    ],
  ])('%s: %s', (_case, now, action) => {
    expect(decide(now, last, T0, DOWNGRADE).action).toBe(action);
  });

  it('shows what the second review found quietened: NEWS2 9 if unconfirmed values stand, and a GCS fallen from 14 to 6', () => {
    expect(decide(concerned({ heartRate: 3, temperature: 2 }, { ifConfirmed: 9 }), last, T0, DOWNGRADE).action).toBe('show');
    const gcs14 = concerned({ heartRate: 3 }, { gcs: 14 });
    const lastGcs14 = shown('warning', 5, 10, { concerns: concernsOf(gcs14) });
    expect(decide(concerned({ heartRate: 3 }, { gcs: 6 }), lastGcs14, T0, DOWNGRADE).action).toBe('show');
    expect(decide(concerned({ heartRate: 3 }, { gcs: 14 }), lastGcs14, T0, DOWNGRADE).action).toBe('downgraded');
  });

  it('shows another sedative of a new class at the same count (lorazepam, then zopiclone, beside morphine)', () => {
    const withClass = (drugClass: string) => {
      const c = concerned({ heartRate: 3, temperature: 2 }, { alreadyPrescribed: 1 });
      (c.extension!['vigil.order'] as Record<string, unknown>).otherSedativeClasses = [drugClass];
      return c;
    };
    const lastWithBenzo = shown('warning', 5, 10, { concerns: concernsOf(withClass('benzodiazepine')) });
    expect(concernsOf(withClass('benzodiazepine'))).toContain('with:benzodiazepine');
    expect(decide(withClass('other-sedative'), lastWithBenzo, T0, DOWNGRADE).action).toBe('show');
    expect(decide(withClass('benzodiazepine'), lastWithBenzo, T0, DOWNGRADE).action).toBe('downgraded');
  });

  it('quietens the same count of other sedatives again', () => {
    const prescribedOnce = concerned({ heartRate: 3, temperature: 2 }, { alreadyPrescribed: 1 });
    const lastWithOne = shown('warning', 5, 10, { concerns: concernsOf(prescribedOnce) });
    expect(decide(prescribedOnce, lastWithOne, T0, DOWNGRADE).action).toBe('downgraded');
    expect(decide(concerned({ heartRate: 3, temperature: 2 }, { alreadyPrescribed: 2 }), lastWithOne, T0, DOWNGRADE).action).toBe('show');
  });

  it('judges an entry written before concerns were kept by colour and total alone', () => {
    expect(decide(concerned({ respiratoryRate: 3 }), shown('warning', 5, 10), T0, DOWNGRADE).action).toBe('downgraded');
  });
});

describe('worse than NEWS2 points can say (review 25a, N4)', () => {
  interface Sub {
    parameter: string;
    value: unknown;
    points: number;
    flowLpm?: number;
    fio2Percent?: number;
  }
  const rr = (value: number, points = 3): Sub => ({ parameter: 'respiratoryRate', value, points });
  const sbp = (value: number): Sub => ({ parameter: 'systolicBP', value, points: 3 });
  const hr = (value: number): Sub => ({ parameter: 'heartRate', value, points: 3 });
  const temp = (value: number, points: number): Sub => ({ parameter: 'temperature', value, points });
  const spo2 = (value: number): Sub => ({ parameter: 'spo2', value, points: 3 });
  const acvpu = (value: string): Sub => ({ parameter: 'consciousness', value, points: value === 'alert' ? 0 : 3 });
  const oxygen = (o2: { flowLpm?: number; fio2Percent?: number }): Sub => ({
    parameter: 'supplementalOxygen',
    value: true,
    points: 2,
    ...o2,
  });

  /** A warning card, NEWS2 5, whose subscores carry their values as a card's `vigil.score` does. */
  function valued(subscores: Sub[], options: { spo2Scale?: 1 | 2; unscoredReasons?: unknown[] } = {}): Card {
    return {
      ...card('warning', 5),
      extension: {
        'vigil.score': { news2: { total: 5, partial: false, spo2Scale: options.spo2Scale ?? 1, subscores } },
        ...(options.unscoredReasons !== undefined
          ? {
              'vigil.order': {
                ingredient: 'morphine',
                alreadyPrescribed: 0,
                otherSedativeClasses: [],
                unscoredReasons: options.unscoredReasons,
              },
            }
          : {}),
      },
    };
  }
  const after = (before: Card, now: Card) => decide(now, shown('warning', 5, 20, { concerns: concernsOf(before) }), T0, DOWNGRADE).action;

  it.each<[string, string, Sub[], Sub[], 1 | 2]>([
    ['confusion, then unresponsive', 'show', [acvpu('confused')], [acvpu('unresponsive')], 1],
    ['voice, then pain', 'show', [acvpu('voice')], [acvpu('pain')], 1],
    ['SBP 88, then 62', 'show', [sbp(88)], [sbp(62)], 1],
    ['RR 25, then 42', 'show', [rr(25)], [rr(42)], 1],
    ['RR 8, then 5', 'show', [rr(8)], [rr(5)], 1],
    ['SpO2 91 %, then 78 % (scale 1)', 'show', [spo2(91)], [spo2(78)], 1],
    ['SpO2 82 %, then 76 % (scale 2)', 'show', [spo2(82)], [spo2(76)], 2],
    ['HR 135, then 165', 'show', [hr(135)], [hr(165)], 1],
    ['HR 40, then 28', 'show', [hr(40)], [hr(28)], 1],
    ['temperature 35.0 °C, then 33.8 °C', 'show', [temp(35, 3)], [temp(33.8, 3)], 1],
    ['temperature 39.4 °C, then 40.6 °C (2 points both)', 'show', [temp(39.4, 2)], [temp(40.6, 2)], 1],
    ['oxygen at 2 L/min, then 15 L/min', 'show', [oxygen({ flowLpm: 2 })], [oxygen({ flowLpm: 15 })], 1],
    ['oxygen at 2 L/min, then 6 L/min', 'show', [oxygen({ flowLpm: 2 })], [oxygen({ flowLpm: 6 })], 1],
    ['FiO2 28 %, then 60 %', 'show', [oxygen({ fio2Percent: 28 })], [oxygen({ fio2Percent: 60 })], 1],
    // Controls: the same band again, or better, is still a repeat.
    ['confusion again', 'downgraded', [acvpu('confused')], [acvpu('confused')], 1],
    ['unresponsive, then confusion', 'downgraded', [acvpu('unresponsive')], [acvpu('confused')], 1],
    ['SBP 88, then 75', 'downgraded', [sbp(88)], [sbp(75)], 1],
    ['RR 25, then 30', 'downgraded', [rr(25)], [rr(30)], 1],
    ['RR 42, then 25', 'downgraded', [rr(42)], [rr(25)], 1],
    ['SpO2 91 %, then 88 % (scale 1)', 'downgraded', [spo2(91)], [spo2(88)], 1],
    ['SpO2 82 %, then 78 % (scale 2)', 'downgraded', [spo2(82)], [spo2(78)], 2],
    ['oxygen at 2 L/min, then 4 L/min', 'downgraded', [oxygen({ flowLpm: 2 })], [oxygen({ flowLpm: 4 })], 1],
    ['oxygen at 15 L/min, then 2 L/min', 'downgraded', [oxygen({ flowLpm: 15 })], [oxygen({ flowLpm: 2 })], 1],
    ['HR 165, then 155', 'downgraded', [hr(165)], [hr(155)], 1],
  ])('%s, NEWS2 points the same: %s', (_case, action, before, now, spo2Scale) => {
    expect(after(valued(before, { spo2Scale }), valued(now, { spo2Scale }))).toBe(action);
  });

  it('writes levels and codes, never the values themselves', () => {
    const worse = valued([rr(42), acvpu('unresponsive'), oxygen({ flowLpm: 15, fio2Percent: 85 }), sbp(62)]);
    expect(concernsOf(worse)).toBe(
      'acvpu=3,consciousness=3,extreme:respiratoryRate=1,extreme:systolicBP=1,oxygen=2,respiratoryRate=3,supplementalOxygen=2,systolicBP=3',
    );
    // The top band in its ordinary range writes what it always wrote.
    expect(concernsOf(valued([rr(25), acvpu('confused'), oxygen({ flowLpm: 2 })]))).toBe(
      'consciousness=3,respiratoryRate=3,supplementalOxygen=2',
    );
  });

  it('takes a new reason no NEWS2 point carries for a new concern on a sedation card (an 88–92 % target newly recorded)', () => {
    const before = valued([rr(10, 1)], { unscoredReasons: [] });
    expect(after(before, valued([rr(10, 1)], { spo2Scale: 2, unscoredReasons: ['spo2-target-88-92'] }))).toBe('show');
    expect(after(before, valued([rr(10, 1)], { unscoredReasons: ['under-16'] }))).toBe('show');
    const withTarget = valued([rr(10, 1)], { spo2Scale: 2, unscoredReasons: ['spo2-target-88-92'] });
    expect(after(withTarget, withTarget)).toBe('downgraded');
    // Only Vigil's own codes are written.
    expect(concernsOf(valued([], { unscoredReasons: ['spo2-target-unread', 'Mrs Smith', 42] }))).toBe('reason:spo2-target-unread');
  });

  describe('an entry written before these levels existed (tokens as before)', () => {
    /** What the older version stored for a card: parameter points only. */
    const old = (concerns: string) => shown('warning', 5, 20, { concerns });

    it('still quietens the same picture: its 3-point values in their ordinary range', () => {
      expect(decide(valued([acvpu('confused'), hr(95)]), old('consciousness=3,heartRate=3'), T0, DOWNGRADE).action).toBe('downgraded');
      expect(decide(valued([rr(26)]), old('respiratoryRate=3'), T0, DOWNGRADE).action).toBe('downgraded');
      expect(decide(valued([oxygen({ flowLpm: 3 })]), old('supplementalOxygen=2'), T0, DOWNGRADE).action).toBe('downgraded');
    });

    it('shows a value beyond its ordinary range, a worse ACVPU level or more oxygen: the old entry cannot say it was there', () => {
      expect(decide(valued([acvpu('unresponsive'), hr(95)]), old('consciousness=3,heartRate=3'), T0, DOWNGRADE).action).toBe('show');
      expect(decide(valued([rr(42)]), old('respiratoryRate=3'), T0, DOWNGRADE).action).toBe('show');
      expect(decide(valued([oxygen({ flowLpm: 15 })]), old('supplementalOxygen=2'), T0, DOWNGRADE).action).toBe('show');
    });

    it('still shows a parameter scoring more than the old entry says', () => {
      expect(decide(valued([rr(26), hr(135)]), old('respiratoryRate=3'), T0, DOWNGRADE).action).toBe('show');
    });
  });
});

describe('applying the rule call after call', () => {
  const at = (minutes: number) => ({ service: 'deterioration-risk', patientPseudonym: 'hmac-sha256:p1', now: T0 + minutes * 60_000 });

  it('shows the first card, downgrades the repeat (saying when it was shown), and shows a rise at once', async () => {
    const store = createMemorySuppressionStore();
    expect((await applyRepeatRule([card('warning', 5)], at(0), DOWNGRADE, store)).cards[0]!.indicator).toBe('warning');
    const repeat = await applyRepeatRule([card('warning', 5)], at(15), DOWNGRADE, store);
    expect(repeat.cards[0]).toMatchObject({ indicator: 'info', summary: 'Unchanged since shown 15 min ago: NEWS2 5' });
    expect(repeat.quietened).toEqual([
      {
        uuid: card('warning', 5).uuid,
        indicator: 'warning',
        action: 'downgraded',
        why: 'repeat-not-risen',
        shownAt: new Date(T0).toISOString(),
      },
    ]);
    expect((await applyRepeatRule([card('critical', 7)], at(20), DOWNGRADE, store)).cards[0]!.indicator).toBe('critical');
  });

  it('cuts a long repeat summary at a word, never inside a value', async () => {
    const store = createMemorySuppressionStore();
    const long = {
      ...card('warning', 5),
      summary:
        'NEWS2 5: urgent response · re-check HR (5 min ago, above range), temp (10 min ago, unreadable), RR 28/min, SpO2 (2 min ago)',
    };
    await applyRepeatRule([long], at(0), DOWNGRADE, store);
    const [repeat] = (await applyRepeatRule([long], at(15), DOWNGRADE, store)).cards;
    expect(repeat!.summary.length).toBeLessThanOrEqual(139);
    expect(repeat!.summary).toMatch(/^Unchanged since shown 15 min ago: NEWS2 5: urgent response/);
    expect(repeat!.summary).not.toContain('RR 28/m…');
    expect(repeat!.summary.endsWith('…')).toBe(true);
    // The text before the ellipsis ends where a word of the card's own summary ends.
    const kept = repeat!.summary.slice('Unchanged since shown 15 min ago: '.length, -1);
    expect(long.summary.startsWith(kept)).toBe(true);
    expect(long.summary[kept.length]).toMatch(/[\s,]/);
  });

  it('says "unchanged" only of the same card: a calmer card with other facts says it has not risen', async () => {
    const store = createMemorySuppressionStore();
    await applyRepeatRule([card('warning', 6)], at(0), DOWNGRADE, store);
    const calmer = await applyRepeatRule([card('warning', 5)], at(10), DOWNGRADE, store);
    expect(calmer.cards[0]).toMatchObject({ indicator: 'info', summary: 'No rise since the card shown 10 min ago: NEWS2 5' });
  });

  it('counts the window from the last card shown in full, so a card re-fired every 10 minutes shows again after the window', async () => {
    const store = createMemorySuppressionStore();
    const outcomes: string[] = [];
    for (const minutes of [0, 10, 20, 30, 40, 50, 60, 70]) {
      const r = await applyRepeatRule([card('warning', 5)], at(minutes), SUPPRESS, store);
      outcomes.push(r.cards.length === 1 ? 'shown' : 'suppressed');
    }
    expect(outcomes).toEqual(['shown', 'suppressed', 'suppressed', 'suppressed', 'suppressed', 'suppressed', 'suppressed', 'shown']);
  });

  it('quietens a critical card only after a clinician overrode it with a reason, and only that card', async () => {
    const store = createMemorySuppressionStore();
    const critical = card('critical', 9);
    await applyRepeatRule([critical], at(0), SUPPRESS, store);
    expect((await applyRepeatRule([critical], at(5), SUPPRESS, store)).cards).toHaveLength(1);
    expect(await store.markOverridden(critical.uuid, T0 + 60 * 60_000)).toBe(true);
    expect(await store.markOverridden('00000000-0000-8000-8000-0000000000ff', T0 + 60 * 60_000)).toBe(false);
    const after = await applyRepeatRule([critical], at(10), SUPPRESS, store);
    expect(after.cards).toEqual([]);
    expect(after.quietened[0]).toMatchObject({ action: 'suppressed', why: 'overridden-with-reason' });
  });

  it('shows every card when the store fails (fail open), and says so', async () => {
    const broken: SuppressionStore = {
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
      markOverridden: () => Promise.reject(new Error('store down')),
      close: () => Promise.resolve(),
    };
    const errors: unknown[] = [];
    const r = await applyRepeatRule([card('warning', 5), card('info', 2)], at(0), SUPPRESS, broken, (e) => errors.push(e));
    expect(r.cards).toHaveLength(2);
    expect(errors).toHaveLength(2);
  });
});

describe('the in-process store', () => {
  it('remembers at most its size of patients × services, forgetting the least recently shown first', async () => {
    const store = createMemorySuppressionStore(2);
    const entry = (n: number): ShownCard => ({ uuid: `00000000-0000-8000-8000-00000000000${n}`, indicator: 'warning', shownAt: T0 });
    for (const n of [1, 2, 3]) await store.set(`patient-${n}`, entry(n), HOUR);
    expect(await store.get('patient-1')).toBeUndefined();
    expect(await store.get('patient-2')).toEqual(entry(2));
    expect(await store.get('patient-3')).toEqual(entry(3));
    // The card of a forgotten entry is forgotten with it: an override cannot reach it.
    expect(await store.markOverridden(entry(1).uuid, T0 + HOUR)).toBe(false);
    expect(await store.markOverridden(entry(3).uuid, T0 + HOUR)).toBe(true);
  });
});
