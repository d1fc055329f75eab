import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/net/loopback.js';

describe('isLoopbackHost: the one test for "this machine"', () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.12.34.56', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['128.0.0.1', false],
    ['127.0.0.1.example.org', false],
    ['localhost.example.org', false],
    ['10.0.0.1', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
