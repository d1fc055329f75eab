// The in-process replay store: a token is accepted once until it expires, and the store holds at most
// its configured number of tokens, forgetting the least recently used first (why token lifetimes are
// capped). Its storage grows as tokens arrive (src/lang/lru-bound.ts); the bound must hold all the same.
import { describe, expect, it } from 'vitest';
import { ReplayStore } from '../../src/auth/replay-store.js';

const ISS = 'https://ehr.example.org';
const NOW = new Date('2026-11-23T12:00:00Z');
const EXP = NOW.getTime() / 1000 + 300;

describe('in-process replay store', () => {
  it('accepts a token once, and again only after it has expired', () => {
    const store = new ReplayStore(1000);
    expect(store.firstUse(ISS, 'jti-1', EXP, 30, NOW)).toBe(true);
    expect(store.firstUse(ISS, 'jti-1', EXP, 30, NOW)).toBe(false);
    expect(store.firstUse(ISS, 'jti-1', EXP, 30, new Date((EXP + 31) * 1000))).toBe(true);
  });

  it('holds at most its size, forgetting the oldest token first', () => {
    const store = new ReplayStore(3);
    for (const jti of ['a', 'b', 'c', 'd']) expect(store.firstUse(ISS, jti, EXP, 30, NOW)).toBe(true);
    expect(store.size).toBe(3);
    // 'a' was pushed out by 'd'; the three most recent are still refused.
    expect(store.firstUse(ISS, 'a', EXP, 30, NOW)).toBe(true);
    for (const jti of ['c', 'd', 'a']) expect(store.firstUse(ISS, jti, EXP, 30, NOW)).toBe(false);
    expect(store.size).toBe(3);
  });
});
