// A misspelt setting used to be ignored without a word (integration review, 2026-11-29: VIGIL_PORT and
// VIGIL_HOST for PORT and HOST; a misspelt VIGIL_TRUSTED_ISSUERS).
import { describe, expect, it } from 'vitest';
import { loadConfig, unknownSettings } from '../../src/config.js';

describe('VIGIL_* variables Vigil does not read', () => {
  it('are named, with the setting each most likely meant', () => {
    expect(
      unknownSettings({ VIGIL_PORT: '3000', VIGIL_HOST: '0.0.0.0', VIGIL_TRUSTED_ISSUER: '/etc/vigil/issuers.json', VIGIL_COLOUR: 'blue' }),
    ).toEqual([
      'VIGIL_PORT is not a Vigil setting (ignored): did you mean PORT?',
      'VIGIL_HOST is not a Vigil setting (ignored): did you mean HOST?',
      'VIGIL_TRUSTED_ISSUER is not a Vigil setting (ignored): did you mean VIGIL_TRUSTED_ISSUERS?',
      'VIGIL_COLOUR is not a Vigil setting (ignored)',
    ]);
  });

  it('say nothing of real settings, other variables, or the links Kubernetes sets for a Service named vigil', () => {
    expect(
      unknownSettings({
        VIGIL_DATA_DIR: '/data',
        PORT: '3000',
        PATH: '/usr/bin',
        VIGIL_SERVICE_HOST: '10.0.0.7',
        VIGIL_SERVICE_PORT: '3000',
        VIGIL_PORT: 'tcp://10.0.0.7:3000',
        VIGIL_PORT_3000_TCP_ADDR: '10.0.0.7',
        // A review (2026-11-29): a chart's vigil-redis and vigil-postgres Services link these too.
        VIGIL_REDIS_SERVICE_HOST: '10.0.0.8',
        VIGIL_REDIS_SERVICE_PORT: '6379',
        VIGIL_REDIS_PORT: 'tcp://10.0.0.8:6379',
        VIGIL_REDIS_PORT_6379_TCP_ADDR: '10.0.0.8',
        VIGIL_POSTGRES_PORT_5432_TCP: 'tcp://10.0.0.9:5432',
      }),
    ).toEqual([]);
  });
});

// A review (2026-11-29): a Service named vigil-admin links VIGIL_ADMIN_PORT=tcp://…, a real setting's name,
// and Vigil refused to start ("expected number").
describe("a Kubernetes service link on a setting's name", () => {
  it('is ignored by the configuration and named at start-up', () => {
    const env = { VIGIL_ADMIN_PORT: 'tcp://10.0.0.9:9090' };
    expect(loadConfig(env).VIGIL_ADMIN_PORT).toBeUndefined();
    expect(unknownSettings(env)).toEqual([
      'VIGIL_ADMIN_PORT holds a Kubernetes service link (a Service named after it?), not a setting (ignored): set enableServiceLinks: false or rename the Service',
    ]);
  });
});

describe('the development profile', () => {
  it('is loopback with no trusted issuers and no public URL beyond this machine', () => {
    expect(loadConfig({}).developmentProfile).toBe(true);
    expect(loadConfig({ VIGIL_PUBLIC_BASE_URL: 'http://localhost:3000' }).developmentProfile).toBe(true);
    expect(loadConfig({ VIGIL_PUBLIC_BASE_URL: 'https://vigil.hospital.example' }).developmentProfile).toBe(false);
  });
});
