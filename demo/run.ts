// `npm run demo`: the demo FHIR server (synthetic ward patients, CORS) on 127.0.0.1 beside a Vigil
// that may fetch from it, so a person can point the CDS Hooks sandbox at their own machine and see
// every card type. Vigil runs as a child process (src/server.ts), configured only through its
// environment: the demo adds its own FHIR origin to the allowlist and nothing else.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFhirServer, type FhirTestServer } from './fhir-server.js';
import { DEMO_PATIENTS, demoResources } from './patients.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The environment Vigil needs to fetch from the demo server, on top of the caller's own settings. */
export function vigilEnvForDemo(env: NodeJS.ProcessEnv, fhirOrigin: string): NodeJS.ProcessEnv {
  const allowed = [env.VIGIL_FHIR_ALLOWED_ORIGINS, fhirOrigin].filter((x) => x !== undefined && x !== '').join(',');
  return {
    ...env,
    VIGIL_FHIR_ALLOWED_ORIGINS: allowed,
    VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
    // So the stable patient (NEWS2 0) shows a card too; set it to false to see "no card".
    VIGIL_CARD_FOR_ZERO: env.VIGIL_CARD_FOR_ZERO ?? 'true',
    // The demo runs in the development profile (loopback), the one place the synthetic model may be
    // shown; set VIGIL_MODEL_MODE=silent to see the cards a site gets by default.
    VIGIL_MODEL_MODE: env.VIGIL_MODEL_MODE ?? 'active',
  };
}

export async function startDemoFhirServer(port: number): Promise<FhirTestServer> {
  return startFhirServer({ resources: demoResources(new Date()), host: '127.0.0.1', port, cors: true });
}

function instructions(fhir: FhirTestServer, vigilPort: string): string {
  const rows = DEMO_PATIENTS.map((p) => `  ${p.id.padEnd(22)} ${p.shows}`).join('\n');
  return `
Demo FHIR server: ${fhir.baseUrl}   (synthetic patients; vitals timed from now: restart to refresh)
Vigil:            http://localhost:${vigilPort}/cds-services

In https://sandbox.cds-hooks.org:
  1. the gear menu → Change FHIR Server → ${fhir.baseUrl}
  2. CDS Services → Add CDS Services → http://localhost:${vigilPort}/cds-services
  3. Change Patient → one of these ids:
${rows}

Ctrl-C stops both.
`;
}

async function main(): Promise<void> {
  const fhirPort = Number(process.env.DEMO_FHIR_PORT ?? 8081);
  const fhir = await startDemoFhirServer(fhirPort);
  const vigilPort = process.env.PORT ?? '3000';
  const vigil = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: vigilEnvForDemo(process.env, fhir.origin),
    stdio: 'inherit',
  });
  process.stdout.write(instructions(fhir, vigilPort));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (vigil.exitCode === null) vigil.kill('SIGTERM');
    await fhir.close();
    process.exit(code);
  };
  vigil.on('exit', (code) => void stop(code ?? 0));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) void main();
