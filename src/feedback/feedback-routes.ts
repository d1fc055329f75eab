// `POST /cds-services/{id}/feedback`: what clinicians did with Vigil's cards. Each item is validated
// (every stored field capped), matched against the cards Vigil issued (unknown cards are accepted and
// flagged: they may predate the remembered window or come from another replica), stored idempotently
// within the client's daily allowance, and counted.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { utcDay } from '../journal/daily-jsonl.js';
import { addressKey, clientIp } from '../net/client-address.js';
import type { IssuedCardStore } from '../audit/issued-cards.js';
import { errorCode, RateLimitedError, UnknownServiceError, VigilError } from '../errors.js';
import type { RepeatSettings } from '../suppression/repeat-cards.js';
import type { SuppressionStore } from '../suppression/suppression-store.js';
import type { Telemetry } from '../telemetry.js';
import { toFeedbackRecord, type FeedbackRecord } from './feedback-record.js';
import { parseFeedbackBody } from './feedback-schema.js';
import type { FeedbackStore } from './feedback-store.js';

export interface FeedbackRouteOptions {
  serviceIds: readonly string[];
  store: FeedbackStore;
  issued: Pick<IssuedCardStore, 'serviceOf' | 'cardOf'>;
  telemetry: Telemetry;
  keepComments: boolean;
  /**
   * The repeat-card rule: a card a clinician overrode with a reason may stay quiet for its window,
   * also when it is critical (src/suppression/repeat-cards.ts).
   */
  repeat?: { settings: RepeatSettings; store: SuppressionStore };
  /** Items one client may store per UTC day (VIGIL_FEEDBACK_MAX_PER_CLIENT_PER_DAY). */
  dailyQuota: number;
  clock: () => Date;
}

/** 429: the client has stored its feedback allowance for today; nothing of this request was stored. */
export class FeedbackQuotaError extends RateLimitedError {
  constructor(quota: number, retryAfterSeconds: number) {
    super(
      retryAfterSeconds,
      `this client may store ${quota} feedback items per UTC day and has used them; nothing of this request was stored`,
    );
  }
}

/** Seconds from `now` to the next UTC midnight, when the daily allowance starts afresh. */
export function secondsToNextUtcDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/** Whom a feedback request counts against: its verified client, or (authentication off) its address. */
function quotaKey(request: FastifyRequest): string {
  return request.cdsClient ?? `addr:${addressKey(clientIp(request)) ?? 'unknown'}`;
}

/** 503: feedback could not be stored. Items stored before the failure are kept: a retry of the whole request counts them as duplicates. */
export class FeedbackUnavailableError extends VigilError {
  constructor(cause: string) {
    super(
      'VIGIL_FEEDBACK_UNAVAILABLE',
      'feedback cannot be stored',
      [
        {
          severity: 'error',
          code: 'transient',
          diagnostics: 'the feedback could not be stored (storage full or failing). Retry later: items already stored count as duplicates.',
        },
      ],
      { retryAfterSeconds: 5, cause },
    );
  }
}

async function storeOrRefuse(store: FeedbackStore, record: FeedbackRecord, client: string): Promise<'stored' | 'duplicate'> {
  try {
    return await store.add(record, client);
  } catch (err) {
    throw new FeedbackUnavailableError(errorCode(err));
  }
}

export async function feedbackRoutes(app: FastifyInstance, opts: FeedbackRouteOptions): Promise<void> {
  const known = new Set(opts.serviceIds);

  app.post<{ Params: { id: string } }>('/cds-services/:id/feedback', async (request) => {
    const service = request.params.id;
    if (!known.has(service)) throw new UnknownServiceError();
    const items = parseFeedbackBody(request.body);
    const receivedAt = opts.clock();
    const client = quotaKey(request);
    const used = await opts.store.storedOn(utcDay(receivedAt), client).catch((err: unknown) => {
      throw new FeedbackUnavailableError(errorCode(err));
    });
    if (used + items.length > opts.dailyQuota) throw new FeedbackQuotaError(opts.dailyQuota, secondsToNextUtcDay(receivedAt));
    const counts = { stored: 0, duplicates: 0, unknownCards: 0 };
    for (const item of items) {
      // What Vigil remembers of the card labels the feedback metrics (a store keeping only services gives no labels).
      const card = opts.issued.cardOf !== undefined ? await opts.issued.cardOf(item.card) : undefined;
      const record = toFeedbackRecord(item, {
        service,
        issuedBy: opts.issued.cardOf !== undefined ? card?.service : await opts.issued.serviceOf(item.card),
        receivedAt,
        keepComments: opts.keepComments,
        client: request.cdsClient,
      });
      if (record.cardOrigin !== 'this-service') counts.unknownCards += 1;
      if ((await storeOrRefuse(opts.store, record, client)) === 'duplicate') {
        counts.duplicates += 1;
      } else {
        counts.stored += 1;
        opts.telemetry.feedback(
          service,
          record.outcome,
          record.overrideReason?.code,
          record.cardOrigin === 'this-service' ? card : undefined,
        );
        if (record.outcome === 'overridden' && record.overrideReason !== undefined && opts.repeat !== undefined) {
          // Best effort: feedback is stored whatever the suppression store says.
          await opts.repeat.store
            .markOverridden(record.card, receivedAt.getTime() + opts.repeat.settings.windowMs)
            .catch(() => opts.telemetry.suppressionStoreError());
        }
      }
    }
    if (counts.unknownCards > 0) request.log.debug({ unknownCards: counts.unknownCards }, 'feedback on cards Vigil does not know');
    return counts;
  });
}
