// Stable card identity. A hook that fires again for the same patient and service with nothing
// material changed (the same indicator and the same facts: values, their times, the drug, the model's
// answer) gets the same card uuid and the same suggestion uuids, so the EHR can de-duplicate and
// feedback on a re-fired card is recognised. Anything material changes the uuid. The facts are the
// card's `extension` (machine-readable, with times as instants, not "12 min ago" words that age).
import type { KeyedHash } from '../identity/keyed-hash.js';
import type { Card } from '../cds-hooks/card-schema.js';
import type { SuggestionDraft } from './suggestions.js';
import { withFields } from '../lang/with-fields.js';

/** A card as the builders make it: everything but the ids, suggestions still drafts. */
export type DraftCard = Omit<Card, 'uuid' | 'suggestions'> & { suggestions?: SuggestionDraft[] };

/** What makes two cards the same card: who, which service, how severe, and the facts. */
function material(card: DraftCard, service: string, patient: string): string {
  return JSON.stringify({
    service,
    patient,
    indicator: card.indicator,
    extension: card.extension ?? {},
    suggestions: card.suggestions?.map((s) => s.key) ?? [],
  });
}

/** The card with its uuid and its suggestions' uuids, each derived under the key. */
export function withStableIdentity(card: DraftCard, service: string, patientPseudonym: string, keyed: KeyedHash): Card {
  const uuid = keyed.uuid(material(card, service, patientPseudonym));
  const { suggestions, ...rest } = card;
  const out: Card = { uuid, ...rest };
  if (suggestions !== undefined && suggestions.length > 0) {
    out.suggestions = suggestions.map(({ key, ...s }) => withFields(s, { uuid: keyed.uuid(`${uuid}\u0000${key}`) }));
  }
  return out;
}
