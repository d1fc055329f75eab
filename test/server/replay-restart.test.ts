// The single-machine default (no Redis, no PostgreSQL): a token the real server accepted is refused
// after the server restarts, whether it was stopped (SIGTERM) or killed (SIGKILL), because accepted
// tokens are on disk under VIGIL_DATA_DIR before their call is answered: in the audit record of an
// answered hook call, or in a line of their own for a call that was refused.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/local-servers.js';
import { lowCall } from '../observability/hook-calls.js';
import { startReplica, stopReplica, testIssuer, type Issuer, type Replica } from '../shared-state/replicas.js';

describe('the replay store of a single server across restarts', () => {
  let replica: Replica | undefined;
  let dir: string | undefined;
  let issuer: Issuer | undefined;
  afterEach(async () => {
    if (replica !== undefined) await stopReplica(replica, 'SIGKILL');
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    issuer?.close();
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'refuses after a %s and restart a token accepted before',
    async (signal) => {
      dir = await mkdtemp(join(tmpdir(), 'vigil-replay-restart-'));
      issuer = testIssuer();
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = {
        PORT: String(port),
        VIGIL_AUTH: 'required',
        VIGIL_TRUSTED_ISSUERS: issuer.file,
        VIGIL_PUBLIC_BASE_URL: base,
        VIGIL_DATA_DIR: dir,
        VIGIL_AUDIT_HMAC_KEY: 'test-only-audit-key-0123456789abcdef',
      };
      const call = lowCall({ asOf: new Date() });
      const url = `${base}/cds-services/${call.service}`;
      const token = issuer.token(url);
      const post = (bearer: string, body: unknown = call.body) =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.status);

      replica = await startReplica(env);
      expect(await post(token)).toBe(200);
      expect(await post(token)).toBe(401);
      const refusedToken = issuer.token(url);
      expect(await post(refusedToken, { hook: 'patient-view' })).toBe(400); // accepted, then the body refused
      await stopReplica(replica, signal);

      replica = await startReplica(env);
      expect(await post(token)).toBe(401);
      expect(await post(refusedToken)).toBe(401);
      expect(await post(issuer.token(url))).toBe(200); // a new token is fine

      // On disk as digests only: the answered call's in its audit record, the refused one's in its own line.
      const files = await Promise.all(
        ['audit', 'replay'].map(async (sub) =>
          (await Promise.all((await readdir(join(dir!, sub))).map((f) => readFile(join(dir!, sub, f), 'utf8')))).join(''),
        ),
      );
      const [audit, replay] = files as [string, string];
      expect(audit.split('\n').filter((l) => l.includes('"token":{"digest":'))).toHaveLength(2);
      expect(replay.trim().split('\n')).toHaveLength(1);
      for (const used of [token, refusedToken]) {
        const { jti } = JSON.parse(Buffer.from(used.split('.')[1]!, 'base64url').toString('utf8')) as { jti: string };
        expect(audit + replay).not.toContain(jti);
      }
    },
    60_000,
  );
});
