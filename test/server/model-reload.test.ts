// The real server swapping models while calls run: two versions side by side as a canary, a
// promotion by a change of VIGIL_CONFIG_FILE and SIGHUP, then a broken file refused; every call is
// answered throughout, and readiness, metrics and the audit trail say what happened.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { criticalCall } from '../observability/hook-calls.js';
import { NOT_ONNX, publish, tempDir, writeVariant } from '../models/variants.js';
import { startServer, type RunningServer } from './spawn-server.js';

describe('reloading models in the running server', () => {
  let server: RunningServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (server !== undefined && server.child.exitCode === null) server.child.kill('SIGKILL');
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it(
    'promotes a canary on SIGHUP and refuses a broken file while calls run, answering every call',
    async () => {
      dir = await tempDir();
      const primary = await writeVariant(dir, 'primary.onnx', { version: '2.0.0' });
      const candidate = await writeVariant(dir, 'candidate.onnx', { version: '2.1.0' });
      const config = join(dir, 'vigil.json');
      const settings = { VIGIL_MODEL_MODE: 'active', VIGIL_MODEL_PATH: primary };
      await publish(
        config,
        JSON.stringify({ ...settings, VIGIL_CANDIDATE_MODEL_PATH: candidate, VIGIL_CANDIDATE_MODE: 'canary', VIGIL_CANARY_PERCENT: 50 }),
      );
      server = startServer({
        VIGIL_CONFIG_FILE: config,
        VIGIL_MODEL_PATH: '', // unset: the environment would win over the file, and the file is what changes
        VIGIL_MODEL_WATCH: 'false', // this test proves SIGHUP; the watcher has its own tests
        VIGIL_DATA_DIR: join(dir, 'data'),
        VIGIL_AUDIT_HMAC_KEY: 'test-only-audit-key-0123456789abcdef',
        VIGIL_REPEAT_CARD_POLICY: 'off',
      });
      const running = server;
      const base = String((await running.waitFor(/Vigil is listening/)).address);
      const get = async (path: string) => (await fetch(`${base}${path}`)).text();
      const models = async () =>
        JSON.parse(await get('/readyz')).models.map(
          (m: { role: string; version: string; mode: string }) => `${m.role} ${m.version} ${m.mode}`,
        );
      const logged = (msg: RegExp) => running.lines.filter((l) => msg.test(String(l.msg))).length;
      expect(await models()).toEqual(['primary 2.0.0 active', 'candidate 2.1.0 canary']);

      // Calls keep coming from three callers (many patients) until the test says stop.
      const statuses: number[] = [];
      let stop = false;
      const caller = async (who: number) => {
        for (let i = 0; !stop; i++) {
          const call = criticalCall({ asOf: new Date(), patientId: `syn-reload-${who}-${i % 40}` });
          const res = await fetch(`${base}/cds-services/${call.service}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(call.body),
          });
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      };
      const callers = [0, 1, 2].map(caller);
      const callsSoFar = async (n: number) => expect.poll(() => statuses.length, { timeout: 20_000 }).toBeGreaterThan(n);
      await callsSoFar(30);

      // Promotion: the candidate becomes the primary, the canary ends.
      await publish(config, JSON.stringify({ ...settings, VIGIL_MODEL_PATH: candidate }));
      running.child.kill('SIGHUP');
      await expect.poll(() => logged(/^model reloaded$/), { timeout: 20_000 }).toBe(1);
      expect(await models()).toEqual(['primary 2.1.0 active']);
      await callsSoFar(statuses.length + 30);

      // A broken file where the primary is: refused, 2.1.0 keeps serving, and readiness says why.
      await publish(candidate, NOT_ONNX);
      running.child.kill('SIGHUP');
      await expect.poll(() => logged(/^model reload failed/), { timeout: 20_000 }).toBe(1);
      const ready = JSON.parse(await get('/readyz'));
      expect(ready.status).toBe('ready');
      expect(ready.models.map((m: { version: string }) => m.version)).toEqual(['2.1.0']);
      expect(ready.checks).toContainEqual(
        expect.objectContaining({ name: 'model-reload', detail: expect.stringContaining('VIGIL_MODEL_CORRUPT') }),
      );
      await callsSoFar(statuses.length + 30);
      stop = true;
      await Promise.all(callers);

      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      const metrics = await get('/metrics');
      expect(metrics).toContain('vigil_model_reload_failures_total{role="primary",code="VIGIL_MODEL_CORRUPT"} 1');
      expect(metrics).toContain('vigil_model_reloads_total{role="primary"} 1');
      expect(metrics).toContain('vigil_model_info{role="primary",name="vigil-deterioration",version="2.1.0",mode="active"} 1');
      expect(metrics).toMatch(/vigil_cards_total\{service="deterioration-risk",indicator="critical",model_version="2\.0\.0"\} [1-9]/);

      // The audit trail holds both versions, each call's serving model and the other one beside it while the canary ran.
      const auditDir = join(dir, 'data', 'audit');
      const lines = (
        await Promise.all((await readdir(auditDir)).filter((f) => f.endsWith('.jsonl')).map((f) => readFile(join(auditDir, f), 'utf8')))
      )
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { model?: { version: string; role: string }; models?: { version: string }[] });
      const served = new Set(lines.map((l) => `${l.model?.role} ${l.model?.version}`));
      expect(served).toEqual(new Set(['primary 2.0.0', 'candidate 2.1.0', 'primary 2.1.0']));
      expect(
        lines.some(
          (l) =>
            l.models
              ?.map((m) => m.version)
              .sort()
              .join(' ') === '2.0.0 2.1.0',
        ),
      ).toBe(true);
    },
    // A child process, three callers and two reloads on a possibly busy 2-core machine.
    90_000,
  );
});
