// The server as production runs it: `npm start` and the container run the bundle scripts/bundle.ts
// writes, not the sources the other tests run through tsx. Built here into a copy of the
// repository's layout (the bundle two levels down, models/, migrations/ and node_modules beside
// dist/), started with npm start's node flags, and held to what a ward would notice: it starts
// with the shipped model and a digest thread, and answers as the sources do. SYNTHETIC ward.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { startFhirServer, type FhirTestServer } from '../../demo/fhir-server.js';
import { runRound, type Call } from '../../bench/lib/load.js';
import { productionServerArgs } from '../../bench/lib/production.js';
import {
  orderSelectCall,
  patientViewCall,
  patientViewFetchCall,
  template,
  ward,
  wardResources,
  withFreshInstance,
} from '../../bench/lib/ward.js';
import { bundleServer } from '../../scripts/bundle.js';
import { testApp } from '../support/app.js';
import { seen, seenInProcess } from '../support/cards-seen.js';
import { startServer, type RunningServer } from './spawn-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const patients = ward(24, new Date());

describe('the bundle npm start runs', () => {
  let root: string;
  let bundleDir: string;
  let server: RunningServer;
  let listening: Record<string, unknown>;
  let port: number;
  let fhir: FhirTestServer;
  let inline: FastifyInstance;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'vigil-bundle-'));
    bundleDir = join(root, 'dist', 'bundle');
    await mkdir(join(root, 'dist'));
    for (const dir of ['models', 'migrations', 'node_modules']) await symlink(join(ROOT, dir), join(root, dir));
    await bundleServer(bundleDir);
    fhir = await startFhirServer({
      resources: wardResources(patients) as unknown as Parameters<typeof startFhirServer>[0]['resources'],
      defaultCount: 250,
    });
    server = startServer(
      {
        VIGIL_MODEL_PATH: undefined, // the shipped model, found beside the bundle as in the container
        VIGIL_DIGEST_THREADS: '1',
        VIGIL_LOG_LEVEL: 'info',
        VIGIL_DATA_DIR: join(root, 'data'),
        VIGIL_FHIR_ALLOWED_ORIGINS: fhir.origin,
        VIGIL_FHIR_ALLOW_HTTP_LOOPBACK: 'true',
        VIGIL_FETCH_DEADLINE_MS: '5000',
        VIGIL_FHIR_REQUEST_TIMEOUT_MS: '5000',
      },
      [...productionServerArgs().slice(0, -1), join(bundleDir, 'server.js')],
    );
    listening = await server.waitFor(/Vigil is listening/, 30_000);
    port = Number(new URL(String(listening.address)).port);
    inline = await testApp({ clock: () => new Date() });
  }, 90_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await inline?.close();
    await fhir?.close();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  async function answers(calls: Call[]): Promise<Map<number, Buffer>> {
    const got = new Map<number, Buffer>();
    const round = await runRound(
      port,
      4,
      calls.length,
      (i) => calls[i]!,
      (i, body) => got.set(i, body),
    );
    expect(round.errors).toEqual([]);
    return got;
  }

  it('starts with the shipped model and a digest thread', () => {
    expect(listening).toMatchObject({ digestThreads: 1, model: { model: 'loaded', name: 'vigil-deterioration' } });
    expect(server.lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
  });

  it('answers patient-view and order-select with the cards the sources give', async () => {
    const calls: Call[] = patients.flatMap((p) => [
      { path: '/cds-services/deterioration-risk', body: withFreshInstance(template(patientViewCall(p))) },
      { path: '/cds-services/sedation-safety', body: withFreshInstance(template(orderSelectCall(p))) },
    ]);
    for (const [i, body] of await answers(calls)) expect(seen(body)).toEqual(await seenInProcess(inline, calls[i]!));
  }, 60_000);

  it('fetches what the EHR did not send, with the FHIR client it loads from node_modules', async () => {
    const p = patients[0]!;
    const fetched = { path: '/cds-services/deterioration-risk', body: withFreshInstance(template(patientViewFetchCall(p, fhir.baseUrl))) };
    const sent = { path: '/cds-services/deterioration-risk', body: withFreshInstance(template(patientViewCall(p))) };
    fhir.reset();
    const [body] = (await answers([fetched])).values();
    expect(fhir.requests.length).toBeGreaterThan(0);
    expect(seen(body!)).toEqual(await seenInProcess(inline, sent));
  }, 30_000);

  it('keeps the Redis and PostgreSQL stores in chunks of their own, loaded only when configured, that find their clients', async () => {
    const files = await readdir(bundleDir);
    const entry = await readFile(join(bundleDir, 'server.js'), 'utf8');
    for (const kit of ['redis-kit', 'postgres-kit']) {
      const chunk = files.find((f) => f.startsWith(`${kit}-`) && f.endsWith('.js'));
      expect(chunk, kit).toBeDefined();
      // Imported by `import()` where the store is opened, never by a static import run at start-up.
      expect(entry).toContain(`import("./${chunk!}")`);
      expect(entry).not.toMatch(new RegExp(`^import[^;]*"\\./${kit}-`, 'm'));
      // Importing the chunk resolves ioredis / pg from node_modules, as a replica configured for them does.
      await expect(import(pathToFileURL(join(bundleDir, chunk!)).href)).resolves.toBeDefined();
    }
  });

  // The bundle is built without esbuild's keepNames (scripts/bundle.ts says why), so a class keeps
  // its name only while no other joined module declares the same one at the same level.
  it("keeps every class of Vigil's under its own name, the type a log line gives its errors", async () => {
    const sources = (await readdir(join(ROOT, 'src'), { recursive: true })).filter((f) => f.endsWith('.ts'));
    const classes = new Set<string>();
    for (const file of sources) {
      const text = await readFile(join(ROOT, 'src', file), 'utf8');
      for (const m of text.matchAll(/^(?:export )?(?:default )?(?:abstract )?class ([A-Za-z_$][\w$]*)/gm)) classes.add(m[1]!);
    }
    expect(classes).toContain('AuthRefusal');
    const files = (await readdir(bundleDir)).filter((f) => f.endsWith('.js'));
    const bundle = (await Promise.all(files.map((f) => readFile(join(bundleDir, f), 'utf8')))).join('\n');
    expect(bundle).toMatch(/\bvar AuthRefusal = class\b|\bclass AuthRefusal\b/);
    const renamed = [...classes].filter((name) =>
      new RegExp(`\\b(?:class|var|let|const) ${name.replace(/\$/g, '\\$')}\\d+\\b`).test(bundle),
    );
    expect(renamed).toEqual([]);
  });
});
