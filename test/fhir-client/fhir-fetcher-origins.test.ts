import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { checkFhirServer } from '../../src/fhir-client/fhir-origins.js';
import { backoffMs, parseRetryAfter, retryDelayMs } from '../../src/fhir-client/retry-delay.js';
import { fetcherFor, hookCall } from './fhir-fetcher-support.js';

const policy = { allowedOrigins: ['https://ehr.example', 'http://127.0.0.1:8081'], allowHttpLoopback: true };

describe('which FHIR servers Vigil may call', () => {
  it.each([
    ['an allowlisted https server with a path', 'https://ehr.example/fhir/r4/', 'https://ehr.example', 'https://ehr.example/fhir/r4'],
    [
      'the same origin spelt with its default port and capitals',
      'https://EHR.example:443/fhir',
      'https://ehr.example',
      'https://ehr.example/fhir',
    ],
    [
      'an allowlisted loopback server over http when development allows it',
      'http://127.0.0.1:8081/fhir',
      'http://127.0.0.1:8081',
      'http://127.0.0.1:8081/fhir',
    ],
  ])('accepts %s', (_name, fhirServer, origin, base) => {
    const check = checkFhirServer(fhirServer, policy);
    expect(check.ok && check.origin).toBe(origin);
    expect(check.ok && check.base.href.replace(/\/$/, '')).toBe(base);
  });

  it.each([
    ['a server not on the allowlist', 'https://evil.example/fhir', policy, 'FHIR_ORIGIN_NOT_ALLOWED'],
    ['an allowlisted host on another port', 'https://ehr.example:8443/fhir', policy, 'FHIR_ORIGIN_NOT_ALLOWED'],
    ['plain http to a public host', 'http://ehr.example/fhir', { ...policy, allowedOrigins: ['http://ehr.example'] }, 'FHIR_INSECURE'],
    [
      'plain http to loopback without the development setting',
      'http://127.0.0.1:8081/fhir',
      { ...policy, allowHttpLoopback: false },
      'FHIR_INSECURE',
    ],
    ['loopback on a port not allowlisted', 'http://127.0.0.1:6379/', policy, 'FHIR_ORIGIN_NOT_ALLOWED'],
    ['credentials in the URL', 'https://user:pw@ehr.example/fhir', policy, 'FHIR_SERVER_INVALID'],
    ['a query string', 'https://ehr.example/fhir?x=1', policy, 'FHIR_SERVER_INVALID'],
    ['another scheme', 'file:///etc/passwd', policy, 'FHIR_SERVER_INVALID'],
    ['not a URL at all', 'ehr.example', policy, 'FHIR_SERVER_INVALID'],
    [
      'anything when the allowlist is empty (the default)',
      'https://ehr.example/fhir',
      { allowedOrigins: [], allowHttpLoopback: false },
      'FHIR_ORIGIN_NOT_ALLOWED',
    ],
  ])('refuses %s', (_name, fhirServer, p, code) => {
    const check = checkFhirServer(fhirServer, p);
    expect(check.ok ? 'accepted' : check.code).toBe(code);
  });

  it('logs the origin of a server not on the allowlist, never its path (which may carry ids)', async () => {
    const { fetcher, rec } = fetcherFor(['https://ehr.example']);
    try {
      const results = await fetcher.fetchAll(hookCall('https://fhir-new.hospital.example:8443/R4/Patient-LEAKCHECK'), [
        { key: 'patient', template: 'Patient/{{context.patientId}}' },
      ]);
      expect(results.patient).toEqual({ ok: false, problem: "the EHR's FHIR server is not on this service's allowlist" });
      const line = rec.lines.find((l) => l.startsWith('FHIR server refused'));
      expect(line).toContain('"code":"FHIR_ORIGIN_NOT_ALLOWED"');
      expect(line).toContain('"origin":"https://fhir-new.hospital.example:8443"');
      expect(rec.lines.join('\n')).not.toContain('LEAKCHECK');
    } finally {
      fetcher.close();
    }
  });

  it('trusts no FHIR server and no plain http unless configured', () => {
    const config = loadConfig({});
    expect(config.VIGIL_FHIR_ALLOWED_ORIGINS).toEqual([]);
    expect(config.VIGIL_FHIR_ALLOW_HTTP_LOOPBACK).toBe(false);
    expect(config.VIGIL_FETCH_DEADLINE_MS).toBeLessThan(500);
  });

  it('refuses to start with an allowlist entry that is not a bare origin, naming each one', () => {
    const start = () => loadConfig({ VIGIL_FHIR_ALLOWED_ORIGINS: 'https://ehr.example/fhir, ftp://x' });
    expect(start).toThrow(ConfigError);
    expect(() => start()).toThrow(/ehr\.example\/fhir[\s\S]*ftp:\/\/x/);
  });
});

describe('waiting before a retry', () => {
  it.each([
    [0, 0, 10],
    [0, 1, 20],
    [1, 0, 20],
    [2, 0.5, 60],
  ])('backs off exponentially with jitter: attempt %i, dice %d → %d ms', (attempt, dice, ms) => {
    expect(backoffMs(attempt, () => dice)).toBe(ms);
  });

  const now = new Date('2026-01-01T00:00:00Z');
  it.each([
    ['2', 2000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:00:03 GMT', 3000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
  ])('reads Retry-After %j as %s ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it('waits for the server when it asks for longer than the backoff, and no longer than the backoff otherwise', () => {
    expect(retryDelayMs(0, 1000, () => 0)).toBe(1000);
    expect(retryDelayMs(0, 0, () => 0)).toBe(10);
    expect(retryDelayMs(0, undefined, () => 1)).toBe(20);
  });
});
