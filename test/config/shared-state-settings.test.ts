// The shared-state settings: URLs of the right kind only, a shared HMAC key required with them (or
// replicas would hash patients and cards differently), and never a password in a message.
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config.js';

const KEY = 'test-only-audit-key-0123456789abcdef';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('shared-state settings', () => {
  it('are off by default: one machine, no servers', () => {
    const config = loadConfig({});
    expect([config.VIGIL_REDIS_URL, config.VIGIL_DATABASE_URL]).toEqual([undefined, undefined]);
  });

  it.each([
    ['VIGIL_REDIS_URL', 'redis://:pw@127.0.0.1:6379/0'],
    ['VIGIL_REDIS_URL', 'rediss://redis.example:6380'],
    ['VIGIL_DATABASE_URL', 'postgres://vigil:pw@db.example:5432/vigil?sslmode=require'],
    ['VIGIL_DATABASE_URL', 'postgresql://vigil@127.0.0.1/vigil'],
  ])('accept %s=%s with a shared key', (name, url) => {
    expect(loadConfig({ [name]: url, VIGIL_AUDIT_HMAC_KEY: KEY })[name as 'VIGIL_REDIS_URL']).toBe(url);
  });

  it.each([
    ['VIGIL_REDIS_URL', 'http://user:s3cret-pw@redis.example'],
    ['VIGIL_DATABASE_URL', 'mysql://user:s3cret-pw@db.example/vigil'],
    ['VIGIL_REDIS_TIMEOUT_MS', '0'],
    ['VIGIL_DATABASE_POOL_SIZE', '0'],
    ['VIGIL_REDIS_KEY_PREFIX', 'has space'],
  ])('refuse %s=%s, naming the setting and not the value', (name, value) => {
    const found = problems({ [name]: value, VIGIL_AUDIT_HMAC_KEY: KEY });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${name}: `));
    expect(found.join('\n')).not.toContain('s3cret-pw');
  });

  it('refuse a Redis or PostgreSQL URL without VIGIL_AUDIT_HMAC_KEY: replicas must share the key', () => {
    expect(problems({ VIGIL_REDIS_URL: 'redis://:s3cret-pw@127.0.0.1:6379' })).toEqual([
      'VIGIL_AUDIT_HMAC_KEY: required with VIGIL_REDIS_URL or VIGIL_DATABASE_URL (every replica must share the key)',
    ]);
    expect(problems({ VIGIL_DATABASE_URL: 'postgres://127.0.0.1/vigil' })).toHaveLength(1);
  });
});
