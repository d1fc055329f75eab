// The missing-prefetch scenarios' FHIR server (bench/http.ts, bench/profile.ts): the SYNTHETIC ward
// served by the demo FHIR server in its own process (fhir-child.ts), so its work is not charged to
// the load generator, and the settings Vigil needs to fetch from it.
import { join } from 'node:path';
import { spawnServer, type Server } from './load.js';

export interface WardFhirServer {
  server: Server;
  /** The FHIR base a call's `fhirServer` names. */
  base: string;
  /** Vigil's environment for fetching from it. */
  vigilEnv: Record<string, string>;
}

export async function startWardFhirServer(patients: number): Promise<WardFhirServer> {
  const server = await spawnServer(
    ['--import', 'tsx', join(import.meta.dirname, 'fhir-child.ts')],
    { BENCH_PATIENTS: String(patients) },
    '/fhir/metadata',
  );
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    server,
    base: `${origin}/fhir`,
    vigilEnv: {
      VIGIL_FHIR_ALLOWED_ORIGINS: origin,
      VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
      // The FHIR server shares these two cores with Vigil and the load: a deadline for a remote EHR would
      // measure this machine's overload, not Vigil's path. Raised from 300 ms (and 200 ms per request); a call still fails if they pass.
      VIGIL_FETCH_DEADLINE_MS: '3000',
      VIGIL_FHIR_REQUEST_TIMEOUT_MS: '3000',
    },
  };
}
