import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { criticalCall } from '../observability/hook-calls.js';
import { startServer, type RunningServer } from './spawn-server.js';
import { setTimeout as delay } from 'node:timers/promises';

describe('graceful shutdown of the real server', () => {
  let server: RunningServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (server !== undefined && server.child.exitCode === null) server.child.kill('SIGKILL');
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('on SIGTERM finishes a call in flight, refuses new connections, flushes the audit and exits 0', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-shutdown-'));
    server = startServer({
      VIGIL_DATA_DIR: dir,
      VIGIL_AUDIT_HMAC_KEY: 'test-only-audit-key-0123456789abcdef',
      VIGIL_SHUTDOWN_GRACE_MS: '15000',
      VIGIL_LOG_LEVEL: 'debug', // "request received": the server has the call's headers
    });
    const running = server;
    const address = new URL(String((await running.waitFor(/Vigil is listening/)).address));
    const order: string[] = [];
    void running.exited.then(() => order.push('exited'));

    // A slow client: headers and half the body now, the rest after SIGTERM. The server's own log says
    // when the call is in flight (routed, waiting for its body); no sleeping on a guess.
    const call = criticalCall({ asOf: new Date() }); // the spawned server reads the real clock
    const body = Buffer.from(JSON.stringify(call.body));
    const req = request({
      host: address.hostname,
      port: address.port,
      method: 'POST',
      path: `/cds-services/${call.service}`,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (c: string) => (text += c))
          .on('end', () => {
            order.push('answered');
            resolve({ status: res.statusCode ?? 0, body: text });
          });
      });
    });
    req.write(body.subarray(0, body.length / 2));
    await running.waitFor(/request received/);

    running.child.kill('SIGTERM');
    await running.waitFor(/shutting down/);

    // New connections are no longer served (refused, or 503 while the listener closes).
    await expect
      .poll(
        () =>
          fetch(new URL('/healthz', address), { signal: AbortSignal.timeout(2000) }).then(
            (r) => r.status,
            () => 'refused',
          ),
        { timeout: 10_000, interval: 50 },
      )
      .not.toBe(200);
    expect(running.child.exitCode).toBeNull(); // still waiting for our call

    req.end(body.subarray(body.length / 2));
    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).cards[0].indicator).toBe('critical');

    expect(await Promise.race([running.exited, delay(15_000).then(() => 'still running')])).toBe(0);
    expect(order).toEqual(['answered', 'exited']);
    expect(running.lines.some((l) => l.msg === 'stopped' && l.forced === false)).toBe(true);

    // The call's audit record reached disk before the process ended.
    const files = await readdir(join(dir, 'audit'));
    const audit = await readFile(join(dir, 'audit', files[0]!), 'utf8');
    expect(audit).toContain(String(call.body.hookInstance));
  });

  it('exits 0 at once on SIGINT when nothing is in flight', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-shutdown-'));
    server = startServer({ VIGIL_DATA_DIR: dir, VIGIL_AUDIT_HMAC_KEY: 'test-only-audit-key-0123456789abcdef' });
    await server.waitFor(/Vigil is listening/);
    server.child.kill('SIGINT');
    expect(await Promise.race([server.exited, delay(8000).then(() => 'still running')])).toBe(0);
  });
});
