// The real server with VIGIL_ADMIN_PORT: probes and metrics answer there through a flood on the public
// port, and once SIGTERM arrives the admin /readyz says "shutting down" while a call still finishes.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { criticalCall } from '../observability/hook-calls.js';
import { startServer, type RunningServer } from './spawn-server.js';

describe('the admin port of the real server', () => {
  let server: RunningServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (server !== undefined && server.child.exitCode === null) server.child.kill('SIGKILL');
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('answers probes through a flood on the public port, and says it is shutting down', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-admin-'));
    server = startServer({
      VIGIL_DATA_DIR: dir,
      VIGIL_AUDIT_HMAC_KEY: 'test-only-audit-key-0123456789abcdef',
      VIGIL_ADMIN_PORT: '0',
      VIGIL_RATE_LIMIT_MAX: '50',
      VIGIL_TRUSTED_PROXIES: 'loopback', // so the flood below can come from another client, via X-Forwarded-For
      VIGIL_SHUTDOWN_GRACE_MS: '15000',
      VIGIL_LOG_LEVEL: 'debug', // "request received": the server has the slow call's headers
    });
    const running = server;
    const listening = await running.waitFor(/Vigil is listening/);
    const publicUrl = new URL(String(listening.address));
    const adminUrl = new URL(String(listening.adminAddress));
    expect(adminUrl.port).not.toBe(publicUrl.port);

    expect((await fetch(new URL('/readyz', publicUrl))).status).toBe(404);
    // One client runs out of budget on the public port; the admin port does not have one.
    const flooder = { 'x-forwarded-for': '198.51.100.7' };
    const flood = await Promise.all(
      Array.from({ length: 120 }, () => fetch(new URL('/cds-services', publicUrl), { headers: flooder }).then((r) => r.status)),
    );
    expect(flood).toContain(429);
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(new URL(path, adminUrl))).status, path).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', adminUrl))).text();
    expect(metrics).toContain('vigil_rate_limited_total{budget="client"}');
    expect(metrics).not.toContain(process.versions.node);
    // A path that is not URL encoding is refused as on the public port: an OperationOutcome, never the path.
    const bad = await fetch(new URL('/readyz%ff', adminUrl));
    expect(bad.status).toBe(400);
    const outcome = (await bad.json()) as { resourceType: string; issue: { diagnostics: string }[] };
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]!.diagnostics).toBe('the request path is not valid URL encoding');

    // A slow call in flight keeps the process up after SIGTERM; meanwhile the admin port says so.
    const call = criticalCall({ asOf: new Date() });
    const body = Buffer.from(JSON.stringify(call.body));
    const req = request({
      host: publicUrl.hostname,
      port: publicUrl.port,
      method: 'POST',
      path: `/cds-services/${call.service}`,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)));
    });
    const mark = running.lines.length; // the flood logged "request received" too: wait for a new one
    req.write(body.subarray(0, body.length / 2));
    await expect
      .poll(() => running.lines.slice(mark).some((l) => l.msg === 'request received' && l.route === '/cds-services/:id'), {
        timeout: 10_000,
      })
      .toBe(true);
    running.child.kill('SIGTERM');
    await running.waitFor(/shutting down/);
    const ready = await fetch(new URL('/readyz', adminUrl));
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks).toContainEqual({ name: 'shutdown', ok: false, detail: 'shutting down' });
    expect((await fetch(new URL('/healthz', adminUrl))).status).toBe(200);

    req.end(body.subarray(body.length / 2));
    expect(await answered).toBe(200);
    expect(await running.exited).toBe(0);
  });
});
