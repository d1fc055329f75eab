// `GET /about/{service}`: the page every card links to. Public (a clinician opens it from the EHR
// without a CDS token) and free of patient data; rendered again only when its facts change (a model
// reloaded, a mode changed).
import type { FastifyInstance } from 'fastify';
import { UnknownServiceError } from '../errors.js';
import { renderAboutPage, type AboutFacts } from './about-page.js';

export interface AboutRouteOptions {
  /** Read on each request (cheap): the models in service may change while Vigil runs. */
  facts: () => AboutFacts;
}

const SERVICES = ['deterioration-risk', 'sedation-safety'] as const;

export async function aboutRoutes(app: FastifyInstance, opts: AboutRouteOptions): Promise<void> {
  let rendered: { key: string; pages: Map<string, string> } | undefined;
  const pages = (): Map<string, string> => {
    const facts = opts.facts();
    const key = JSON.stringify(facts);
    if (rendered?.key !== key) rendered = { key, pages: new Map(SERVICES.map((s) => [s, renderAboutPage(s, facts)])) };
    return rendered.pages;
  };
  app.get<{ Params: { service: string } }>('/about/:service', { config: { auth: false } }, async (request, reply) => {
    const page = pages().get(request.params.service);
    if (page === undefined) throw new UnknownServiceError();
    return reply.type('text/html; charset=utf-8').send(page);
  });
}
