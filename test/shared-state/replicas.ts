// Two (or more) real Vigil processes behind a small round-robin proxy, as a load balancer would put
// them: each request goes to the next replica in turn, and the answer says which one served it
// (`x-test-replica`). A trusted issuer whose tokens name the proxy's URL as their audience, as an EHR
// calling the service's one public URL would.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCdsToken } from '../../src/auth/jws.js';
import { startServer, type RunningServer } from '../server/spawn-server.js';

export interface Issuer {
  iss: string;
  /** Removes the issuers file. */
  close(): void;
  /** Path of a trusted-issuers file that pins this issuer's key. */
  file: string;
  /** A fresh token (new jti) for exactly this URL. */
  token(url: string): string;
}

/** RS384: the cheaper signature check, so the replicas spend their time on Vigil's own work. */
export function testIssuer(): Issuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const iss = 'https://ehr.test.example';
  const dir = mkdtempSync(join(tmpdir(), 'vigil-issuer-'));
  const file = join(dir, 'trusted-issuers.json');
  writeFileSync(
    file,
    JSON.stringify({ issuers: [{ iss, jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS384' }] } }] }),
  );
  const key: KeyObject = privateKey;
  return {
    iss,
    file,
    close: () => rmSync(dir, { recursive: true, force: true }),
    token: (url) =>
      signCdsToken({ iss, kid, alg: 'RS384', aud: url, privateKey: key, nowSeconds: Math.floor(Date.now() / 1000), lifetimeSeconds: 300 }),
  };
}

export interface Proxy {
  url: string;
  /** Where requests go, in turn; a restarted replica's new address replaces its old one. */
  upstreams: string[];
  close(): Promise<void>;
}

/** Forwards each request to the next upstream in turn; 502 when that one does not answer. */
export async function roundRobinProxy(): Promise<Proxy> {
  const upstreams: string[] = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const index = next++ % upstreams.length;
    const target = new URL(req.url ?? '/', upstreams[index]);
    const forward = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-test-replica': String(index) });
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'x-test-replica': String(index) });
      res.end();
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upstreams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Replica {
  server: RunningServer;
  /** Its own address (for /readyz and /metrics, which are per replica). */
  url: string;
}

export async function startReplica(env: Record<string, string>): Promise<Replica> {
  const server = startServer({ VIGIL_LOG_LEVEL: 'info', ...env });
  const listening = await server.waitFor(/Vigil is listening/, 30_000);
  return { server, url: String(listening.address) };
}

/** Stops a replica: SIGTERM (graceful) or SIGKILL (as a crash), and waits for the process to end. */
export async function stopReplica(replica: Replica, signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
  if (replica.server.child.exitCode !== null) return replica.server.child.exitCode;
  replica.server.child.kill(signal);
  return replica.server.exited;
}
