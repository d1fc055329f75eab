// `npm run bench:jwt`: what authentication costs per call, ES384 (the CDS Hooks sandbox's algorithm)
// against RS384 (a major EHR's default), in a few seconds. Two figures per algorithm: the bare
// signature check (node:crypto, as fast-jwt does it) and a whole authenticated discovery call through
// the app (app.inject: rate limit, key lookup, signature check, claims, replay store), against the same
// call with VIGIL_AUTH=off. Rounds alternate A/B; medians of per-call times in microseconds.
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { signCdsToken, type AsymmetricAlg } from '../src/auth/jws.js';
import { loadConfig } from '../src/config.js';
import { createRulesScorer } from '../src/models/rules-scorer.js';

const SIGNATURE_CHECKS = 1500;
const CALLS_PER_ROUND = 300;
const ROUNDS = 3;
const AUD = 'http://127.0.0.1:3000/cds-services';

interface Subject {
  alg: AsymmetricAlg;
  iss: string;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function subject(alg: AsymmetricAlg): Subject {
  const pair = alg === 'ES384' ? generateKeyPairSync('ec', { namedCurve: 'P-384' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, iss: `https://bench.example/${alg}`, kid: alg, ...pair };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function signatureCost(s: Subject): number {
  const now = Math.floor(Date.now() / 1000);
  const token = signCdsToken({ iss: s.iss, kid: s.kid, alg: s.alg, aud: AUD, privateKey: s.privateKey, nowSeconds: now });
  const [h, p, sig] = token.split('.') as [string, string, string];
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(sig, 'base64url');
  const key = s.alg === 'ES384' ? { key: s.publicKey, dsaEncoding: 'ieee-p1363' as const } : s.publicKey;
  const times: number[] = [];
  for (let i = 0; i < SIGNATURE_CHECKS; i++) {
    const t0 = performance.now();
    if (!verify('sha384', data, key, signature)) throw new Error('signature did not verify');
    times.push((performance.now() - t0) * 1000);
  }
  return median(times.slice(100));
}

async function app(env: Record<string, string>): Promise<FastifyInstance> {
  const a = await buildApp({
    config: loadConfig({ VIGIL_LOG_LEVEL: 'silent', VIGIL_RATE_LIMIT_MAX: '1000000', ...env }),
    scorer: createRulesScorer(),
    logger: false,
  });
  await a.ready();
  return a;
}

async function callCost(a: FastifyInstance, tokens: (string | undefined)[]): Promise<number[]> {
  const times: number[] = [];
  for (const token of tokens) {
    const t0 = performance.now();
    const res = await a.inject({
      method: 'GET',
      url: '/cds-services',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    times.push((performance.now() - t0) * 1000);
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  }
  return times;
}

async function main(): Promise<void> {
  const subjects = [subject('ES384'), subject('RS384')];
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-jwt-'));
  const issuersFile = join(dir, 'issuers.json');
  writeFileSync(
    issuersFile,
    JSON.stringify({
      issuers: subjects.map((s) => ({
        iss: s.iss,
        jwks: { keys: [{ ...createPublicKey(s.privateKey).export({ format: 'jwk' }), kid: s.kid, use: 'sig' }] },
      })),
    }),
  );
  const authed = await app({ VIGIL_TRUSTED_ISSUERS: issuersFile, VIGIL_PUBLIC_BASE_URL: 'http://127.0.0.1:3000', VIGIL_DATA_DIR: dir });
  const open = await app({ VIGIL_AUTH: 'off' });

  const rows: string[] = [];
  const perAlg: Record<string, number[]> = { off: [] };
  for (const s of subjects) perAlg[s.alg] = [];
  // Warm-up, then alternate: off, ES384, RS384, off, ...
  await callCost(
    open,
    Array.from({ length: 100 }, () => undefined),
  );
  for (let round = 0; round < ROUNDS; round++) {
    perAlg.off!.push(
      ...(await callCost(
        open,
        Array.from({ length: CALLS_PER_ROUND }, () => undefined),
      )),
    );
    for (const s of subjects) {
      const now = Math.floor(Date.now() / 1000);
      // Signed before timing: every CDS token has a fresh jti, so each call verifies a new token.
      const tokens = Array.from({ length: CALLS_PER_ROUND }, () =>
        signCdsToken({ iss: s.iss, kid: s.kid, alg: s.alg, aud: AUD, privateKey: s.privateKey, nowSeconds: now }),
      );
      perAlg[s.alg]!.push(...(await callCost(authed, tokens)));
    }
  }
  await authed.close();
  await open.close();

  const off = median(perAlg.off!);
  rows.push(`| auth off (baseline) | – | ${off.toFixed(0)} µs | – |`);
  for (const s of subjects) {
    const call = median(perAlg[s.alg]!);
    rows.push(`| ${s.alg} | ${signatureCost(s).toFixed(0)} µs | ${call.toFixed(0)} µs | +${(call - off).toFixed(0)} µs |`);
  }
  process.stdout.write(
    `node ${process.version}, ${ROUNDS} alternating rounds of ${CALLS_PER_ROUND} calls; medians\n` +
      '| algorithm | signature check | discovery call (inject) | auth cost per call |\n|---|---|---|---|\n' +
      `${rows.join('\n')}\n`,
  );
}

void main();
