// Measures what fetching missing prefetch costs on loopback (`npx tsx demo/measure-fetch.ts`): all five
// deterioration-risk keys from the demo FHIR server, and how closely a slow EHR's deadline is kept.
// A few seconds, no more: the machine is shared.
import { loadConfig } from '../src/config.js';
import type { HookCall } from '../src/cds-hooks/request-schema.js';
import { createFhirFetcher } from '../src/fhir-client/fhir-fetcher.js';
import { PATIENT_RISK_PREFETCH } from '../src/prefetch/templates.js';
import { noTelemetry } from '../src/telemetry.js';
import { startFhirServer } from './fhir-server.js';
import { demoResources } from './patients.js';

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const fmt = (xs: number[]) =>
  `p50 ${quantile(xs, 0.5).toFixed(2)} ms, p95 ${quantile(xs, 0.95).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;

async function main(): Promise<void> {
  const fhir = await startFhirServer({ resources: demoResources(new Date()) });
  const config = loadConfig({ VIGIL_FHIR_ALLOWED_ORIGINS: fhir.origin, VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true' });
  const fetcher = createFhirFetcher(config, { warn: () => {}, debug: () => {} }, noTelemetry);
  const call = {
    hook: 'patient-view',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    fhirServer: fhir.baseUrl,
    fhirAuthorization: { access_token: 'synthetic', token_type: 'Bearer' },
    context: { userId: 'Practitioner/p', patientId: 'vigil-demo-high' },
  } as HookCall;
  const requests = Object.entries(PATIENT_RISK_PREFETCH).map(([key, template]) => ({ key, template }));

  const run = async (n: number) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      fhir.requests.length = 0;
      const started = performance.now();
      const results = await fetcher.fetchAll(call, requests);
      ms.push(performance.now() - started);
      if (!Object.values(results).every((r) => r.ok)) throw new Error('a key failed on a healthy server');
    }
    return ms;
  };
  await run(50); // warm-up
  process.stdout.write(`5 keys, healthy loopback server, 300 sequential calls: ${fmt(await run(300))}\n`);

  fhir.fault({ kind: 'slow', ms: 2000, match: 'Goal' });
  const late: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    await fetcher.fetchAll(call, requests);
    late.push(performance.now() - started);
  }
  process.stdout.write(`one key slower than the ${config.VIGIL_FETCH_DEADLINE_MS} ms deadline, 10 calls: ${fmt(late)}\n`);
  fetcher.close();
  await fhir.close();
}

void main();
