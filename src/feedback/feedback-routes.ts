// `POST /cds-services/{id}/feedback`: what clinicians did with Vigil's cards. Each item is validated,
// matched against the cards Vigil issued (unknown cards are accepted and flagged: they may predate
// the remembered window or come from another replica), stored idempotently and counted.
import type { FastifyInstance } from 'fastify';
import type { IssuedCardStore } from '../audit/issued-cards.js';
import { errorCode, VigilError } from '../errors.js';
import type { Telemetry } from '../telemetry.js';
import { toFeedbackRecord, type FeedbackRecord } from './feedback-record.js';
import { parseFeedbackBody } from './feedback-schema.js';
import type { FeedbackStore } from './feedback-store.js';

export interface FeedbackRouteOptions {
  serviceIds: readonly string[];
  store: FeedbackStore;
  issued: Pick<IssuedCardStore, 'serviceOf'>;
  telemetry: Telemetry;
  keepComments: boolean;
  clock: () => Date;
}

/** 503: feedback could not be stored. Items stored before the failure are kept: a retry of the whole request counts them as duplicates. */
export class FeedbackUnavailableError extends VigilError {
  constructor(cause: string) {
    super('VIGIL_FEEDBACK_UNAVAILABLE', 'feedback cannot be stored', [
      { severity: 'error', code: 'transient', diagnostics: 'the feedback could not be stored (storage full or failing). Retry later: items already stored count as duplicates.' },
    ]);
    this.retryAfterSeconds = 5;
    this.cause = cause;
  }
}

async function storeOrRefuse(store: FeedbackStore, record: FeedbackRecord): Promise<'stored' | 'duplicate'> {
  try {
    return await store.add(record);
  } catch (err) {
    throw new FeedbackUnavailableError(errorCode(err));
  }
}

export async function feedbackRoutes(app: FastifyInstance, opts: FeedbackRouteOptions): Promise<void> {
  const known = new Set(opts.serviceIds);

  app.post<{ Params: { id: string } }>('/cds-services/:id/feedback', async (request) => {
    const service = request.params.id;
    if (!known.has(service)) throw new VigilError('VIGIL_UNKNOWN_SERVICE', 'unknown service', [
      { severity: 'error', code: 'not-found', diagnostics: 'no CDS service with this id: see GET /cds-services' },
    ]);
    const items = parseFeedbackBody(request.body);
    const receivedAt = opts.clock();
    const counts = { stored: 0, duplicates: 0, unknownCards: 0 };
    for (const item of items) {
      const record = toFeedbackRecord(item, {
        service,
        issuedBy: await opts.issued.serviceOf(item.card),
        receivedAt,
        keepComments: opts.keepComments,
      });
      if (record.cardOrigin !== 'this-service') counts.unknownCards += 1;
      if ((await storeOrRefuse(opts.store, record)) === 'duplicate') {
        counts.duplicates += 1;
      } else {
        counts.stored += 1;
        opts.telemetry.feedback(service, record.outcome, record.overrideReason?.code);
      }
    }
    if (counts.unknownCards > 0) request.log.debug({ unknownCards: counts.unknownCards }, 'feedback on cards Vigil does not know');
    return counts;
  });
}
