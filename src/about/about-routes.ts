// `GET /about/{service}`: the page every card links to. Public (a clinician opens it from the EHR
// without a CDS token) and free of patient data; rendered once at start-up.
import type { FastifyInstance } from 'fastify';
import { UnknownServiceError } from '../errors.js';
import { renderAboutPage, type AboutFacts } from './about-page.js';

export interface AboutRouteOptions {
  facts: AboutFacts;
}

const SERVICES = ['deterioration-risk', 'sedation-safety'] as const;

export async function aboutRoutes(app: FastifyInstance, opts: AboutRouteOptions): Promise<void> {
  const pages = new Map<string, string>(SERVICES.map((s) => [s, renderAboutPage(s, opts.facts)]));
  app.get<{ Params: { service: string } }>('/about/:service', { config: { auth: false } }, async (request, reply) => {
    const page = pages.get(request.params.service);
    if (page === undefined) throw new UnknownServiceError();
    return reply.type('text/html; charset=utf-8').send(page);
  });
}
