// Which indicator a NEWS2 result earns. Thresholds follow the RCP triggers (NEWS2 2017, chart 2):
// ≥ 7 critical; 5–6, or any single parameter scoring 3, warning; 1–4 info (or no card, by setting);
// 0 no card unless configured. A partial score always earns at least an info card: missing
// parameters must be seen, never silently read as normal.
import type { Config } from '../config.js';
import type { News2Result } from '../fallback-rules/types.js';
import type { Indicator } from '../cds-hooks/card-schema.js';

export type IndicatorPolicy = Pick<Config, 'VIGIL_LOW_SCORE_CARD' | 'VIGIL_CARD_FOR_ZERO'>;

export function news2Indicator(news2: News2Result, policy: IndicatorPolicy): Indicator | undefined {
  if (news2.total >= 7) return 'critical';
  if (news2.total >= 5 || news2.anySingleThree) return 'warning';
  if (news2.partial) return 'info';
  const lowCards = policy.VIGIL_LOW_SCORE_CARD === 'info';
  if (news2.total >= 1) return lowCards ? 'info' : undefined;
  return lowCards && policy.VIGIL_CARD_FOR_ZERO ? 'info' : undefined;
}
