// Fastify's schema compilers for servers that declare no route schemas. Vigil checks every request
// with zod (src/cds-hooks/request-schema.ts) and writes its answers itself, so Fastify's defaults,
// ajv and fast-json-stringify, would only be loaded, never used; Fastify loads them when an instance
// is created, ~40–60 ms of start-up on a 2-vCPU VM (bench/RESULTS.md, fourteenth pass). A route that
// declares a schema fails at start-up with this message instead of being checked by a second library.
import type { FastifyServerOptions } from 'fastify';

const refuse = (): never => {
  throw new Error('Vigil declares no Fastify route schemas: requests are checked with zod (src/cds-hooks/request-schema.ts)');
};

export const NO_ROUTE_SCHEMAS: FastifyServerOptions['schemaController'] = {
  compilersFactory: { buildValidator: () => refuse, buildSerializer: () => refuse },
};
