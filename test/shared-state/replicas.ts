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

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded, as a real
// proxy would not: passing on the replica's `Keep-Alive: timeout=5` told the test's client it could
// reuse its connection to the proxy longer than the proxy keeps it open.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

/**
 * Forwards each request to the next upstream in turn; 502 when that one does not answer.
 *
 * No connection is reused, on either side: every request opens its own connection to the proxy and
 * the proxy its own to the replica. A pooled connection that sat idle while a replica was restarted
 * could be reused at the instant its other end closed it (the replicas' and Node's agent's idle
 * timeouts are both 5 s), and the request failed with ECONNRESET; that race is the test harness's, not
 * the service's, so it is taken out rather than retried.
 */
export async function roundRobinProxy(): Promise<Proxy> {
  const upstreams: string[] = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const index = next++ % upstreams.length;
    const target = new URL(req.url ?? '/', upstreams[index]);
    const forward = http.request(target, { method: req.method, headers: endToEnd(req.headers), agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...endToEnd(answer.headers), connection: 'close', 'x-test-replica': String(index) });
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { connection: 'close', 'x-test-replica': String(index) });
      res.end();
    });
    req.pipe(forward);
  });
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
  // A header deadline a just-started process meets on a busy machine: the 1 s default answered 408 at a
  // load average of 10, and no test of replicas is about slow headers.
  const server = startServer({ VIGIL_LOG_LEVEL: 'info', VIGIL_HEADERS_TIMEOUT_MS: '10000', ...env });
  const listening = await server.waitFor(/Vigil is listening/, 30_000);
  return { server, url: String(listening.address) };
}

/** Stops a replica: SIGTERM (graceful) or SIGKILL (as a crash), and waits for the process to end. */
export async function stopReplica(replica: Replica, signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
  if (replica.server.child.exitCode !== null) return replica.server.child.exitCode;
  replica.server.child.kill(signal);
  return replica.server.exited;
}
