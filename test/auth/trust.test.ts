// The start-up rule (loopback without issuers: the sandbox and development keys, loudly; elsewhere:
// refuse) and the trusted-issuers file: its format, and every problem reported at once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEV_ISSUER } from '../../src/auth/dev-issuer.js';
import { parseJwks } from '../../src/auth/jwks.js';
import { audienceBases, resolveTrust, SANDBOX_ISSUER } from '../../src/auth/trust.js';
import { issuersFromDocument } from '../../src/auth/trusted-issuers.js';
import { ecKey, jwks, writeIssuersFile } from './support.js';
import { generateKeyPairSync } from 'node:crypto';

const dataDir = () => mkdtempSync(join(tmpdir(), 'vigil-trust-'));
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('resolveTrust', () => {
  it('on loopback with no issuers, trusts the sandbox and the development key, and warns', () => {
    const trust = resolveTrust(loadConfig({ VIGIL_DATA_DIR: dataDir() }));
    expect(trust.profile).toBe('loopback-development');
    expect(trust.issuers.map((i) => i.iss)).toEqual([SANDBOX_ISSUER, DEV_ISSUER]);
    expect(trust.issuers[0]!.keys.has('44823f3d-0b01-4a6c-a80e-b9d3e8a7226f')).toBe(true);
    expect(trust.warnings.join(' ')).toMatch(/never with real patient data/);
  });

  it('bound to any other address with no issuers, refuses to start, naming both missing settings', () => {
    const problems = problemsOf(() => resolveTrust(loadConfig({ HOST: '0.0.0.0', VIGIL_DATA_DIR: dataDir() })));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^VIGIL_TRUSTED_ISSUERS: .*not loopback/);
    expect(problems[1]).toMatch(/^VIGIL_PUBLIC_BASE_URL/);
  });

  // Integration review (2026-11-29): bound to loopback behind a proxy on the same host, with a public
  // base URL and no issuers, Vigil trusted the sandbox key, whose private half is published.
  it('refuses the development profile when the public base URL names a host beyond loopback', () => {
    const problems = problemsOf(() =>
      resolveTrust(loadConfig({ VIGIL_PUBLIC_BASE_URL: 'https://vigil.hospital.example', VIGIL_DATA_DIR: dataDir() })),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^VIGIL_TRUSTED_ISSUERS: VIGIL_PUBLIC_BASE_URL names vigil\.hospital\.example, not loopback/);
    for (const local of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      expect(resolveTrust(loadConfig({ VIGIL_PUBLIC_BASE_URL: local, VIGIL_DATA_DIR: dataDir() })).profile, local).toBe(
        'loopback-development',
      );
    }
  });

  it('with an issuers file, trusts exactly those issuers and says nothing', () => {
    const file = writeIssuersFile({ issuers: [{ iss: 'https://ehr.example', jwks: jwks(ecKey()) }] });
    const trust = resolveTrust(
      loadConfig({ HOST: '0.0.0.0', VIGIL_PUBLIC_BASE_URL: 'https://vigil.example', VIGIL_TRUSTED_ISSUERS: file }),
    );
    expect(trust.profile).toBe('configured');
    expect(trust.issuers.map((i) => i.iss)).toEqual(['https://ehr.example']);
    expect(trust.warnings).toEqual([]);
  });

  it("with an issuers file on loopback, still requires the public base URL, listing it with the file's problems", () => {
    const problems = problemsOf(() => resolveTrust(loadConfig({ VIGIL_TRUSTED_ISSUERS: '/nonexistent/issuers.json' })));
    expect(problems).toEqual([
      "VIGIL_PUBLIC_BASE_URL: required with VIGIL_TRUSTED_ISSUERS: a token's aud must be the URL its client called",
      'VIGIL_TRUSTED_ISSUERS: cannot read /nonexistent/issuers.json (ENOENT)',
    ]);
  });

  it.each([
    [{}, ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']],
    // Configured issuers: no loopback spellings, only the URL real clients call.
    [{ VIGIL_TRUSTED_ISSUERS: '/etc/issuers.json' }, ['http://127.0.0.1:3000']],
    [{ VIGIL_PUBLIC_BASE_URL: 'https://vigil.example/base/' }, ['https://vigil.example/base']],
    [{ HOST: '0.0.0.0', VIGIL_PUBLIC_BASE_URL: 'https://vigil.example' }, ['https://vigil.example']],
  ])('accepts aud bases %j → %j', (env, bases) => {
    expect(audienceBases(loadConfig(env))).toEqual(bases);
  });
});

describe('the trusted-issuers file', () => {
  it.each([
    ['no issuers', { issuers: [] }, /issuers/],
    ['an issuer with neither jwks nor jku', { issuers: [{ iss: 'https://a.example' }] }, /needs "jwks"/],
    ['a plain-http jku off loopback', { issuers: [{ iss: 'https://a.example', jku: ['http://a.example/jwks.json'] }] }, /https/],
    [
      'a JWKS holding only an HMAC key',
      { issuers: [{ iss: 'https://a.example', jwks: { keys: [{ kty: 'oct', kid: 'h', k: 'c2VjcmV0' }] } }] },
      /no usable public signing key/,
    ],
    [
      'the same iss twice',
      {
        issuers: [
          { iss: 'https://a.example', jwks: jwks(ecKey()) },
          { iss: 'https://a.example', jwks: jwks(ecKey()) },
        ],
      },
      /listed twice/,
    ],
  ])('refuses %s', (_name, doc, message) => {
    const problems = problemsOf(() => issuersFromDocument(doc, 'issuers.json'));
    expect(problems.join('\n')).toMatch(message);
  });

  it('accepts an http jku on loopback (a local JWKS server)', () => {
    const [issuer] = issuersFromDocument({ issuers: [{ iss: 'https://a.example', jku: ['http://127.0.0.1:8089/jwks.json'] }] }, 'x');
    expect(issuer!.jku).toEqual(['http://127.0.0.1:8089/jwks.json']);
  });

  it('reports a missing file by its path', () => {
    const env = { VIGIL_TRUSTED_ISSUERS: '/nonexistent/issuers.json', VIGIL_PUBLIC_BASE_URL: 'https://vigil.example' };
    expect(problemsOf(() => resolveTrust(loadConfig(env)))).toEqual([
      'VIGIL_TRUSTED_ISSUERS: cannot read /nonexistent/issuers.json (ENOENT)',
    ]);
  });
});

describe('parseJwks', () => {
  it('keeps only asymmetric public signing keys with a kid, RSA of 2048 bits or more', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const ec = ecKey('ec');
    const keys = parseJwks({
      keys: [
        ec.publicJwk,
        { ...small, kid: 'small-rsa' },
        { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0' },
        { ...ec.publicJwk, kid: 'enc', use: 'enc' },
        { ...ec.publicJwk, kid: undefined },
      ],
    });
    expect([...keys.keys()]).toEqual(['ec']);
    expect([...keys.get('ec')!.algorithms]).toEqual(['ES384']);
  });
});
