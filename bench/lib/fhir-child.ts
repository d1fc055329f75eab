// The FHIR server the missing-prefetch scenario fetches from, in its own process (so its work is not
// charged to the load generator): the SYNTHETIC ward of bench/lib/ward.ts, seeded as the benchmark's,
// served by the demo's FHIR R4 subset on HOST:PORT under /fhir.
import { startFhirServer } from '../../demo/fhir-server.js';
import { ward, wardResources } from './ward.js';

const patients = Number(process.env.BENCH_PATIENTS ?? 200);
const server = await startFhirServer({
  resources: wardResources(ward(patients, new Date())) as unknown as Parameters<typeof startFhirServer>[0]['resources'],
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  defaultCount: 250,
});
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
