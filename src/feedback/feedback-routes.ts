// `POST /cds-services/{id}/feedback`: what clinicians did with Vigil's cards. Each item is validated,
// matched against the cards Vigil issued (unknown cards are accepted and flagged: they may predate
// the remembered window or come from another replica), stored idempotently and counted.
import type { FastifyInstance } from 'fastify';
import type { IssuedCards } from '../audit/issued-cards.js';
import { VigilError } from '../errors.js';
import type { Telemetry } from '../telemetry.js';
import { toFeedbackRecord } from './feedback-record.js';
import { parseFeedbackBody } from './feedback-schema.js';
import type { FeedbackStore } from './feedback-store.js';

export interface FeedbackRouteOptions {
  serviceIds: readonly string[];
  store: FeedbackStore;
  issued: Pick<IssuedCards, 'serviceOf'>;
  telemetry: Telemetry;
  keepComments: boolean;
  clock: () => Date;
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
        issuedBy: opts.issued.serviceOf(item.card),
        receivedAt,
        keepComments: opts.keepComments,
      });
      if (record.cardOrigin !== 'this-service') counts.unknownCards += 1;
      if ((await opts.store.add(record)) === 'duplicate') {
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
