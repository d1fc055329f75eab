// What the request path tells the operations side about each answered hook call: the metrics and the
// audit trail observe it; the audit recorder must succeed before the call is answered (http/cds-routes.ts).
import type { Card } from '../cds-hooks/card-schema.js';
import type { AnswerFacts } from '../hooks/definition.js';
import type { PrefetchSource } from '../prefetch/gather.js';
import type { QuietenedCard } from '../suppression/repeat-cards.js';

/** What observers (metrics, audit) learn about each answered call. */
export interface AnsweredCall {
  service: string;
  hook: string;
  hookInstance: string;
  /**
   * The patient's keyed pseudonym (identity/keyed-hash.ts), the one the call's card identities and
   * repeat-card rule used: what the audit record keeps, with no HMAC of its own (~4 µs a call).
   */
  patientPseudonym: string;
  /** The cards answered (after the repeat-card rule). */
  cards: Card[];
  /** Each card's JSON exactly as sent: the audit trail hashes these bytes, not a second serialisation. */
  cardsJson: readonly string[];
  /** Cards the repeat-card rule suppressed or downgraded, and why (metrics, audit trail). */
  quietened: QuietenedCard[];
  facts: AnswerFacts;
  sources: Record<string, PrefetchSource>;
  latencyMs: number;
  at: Date;
  /**
   * The caller's token, when its replay record travels with this call's audit record
   * (src/auth/durable-replay-store.ts): the record carries its digest, and says when it is on disk.
   */
  token?: CallToken;
}

/** What the audit record carries of the caller's token (src/auth/replay-store.ts, PendingToken). */
export interface CallToken {
  /** The digest of the token's issuer and jti, never the token. */
  readonly key: string;
  /** Until when a replay of it is refused (ms since the epoch). */
  readonly untilMs: number;
  /** The record carrying it is on disk. */
  carried(): void;
}

export type CallObserver = (call: AnsweredCall) => void | Promise<void>;
