import { describe, expect, it } from 'vitest';
import { forOneCall, keyedHash } from '../../src/identity/keyed-hash.js';

const KEY = 'synthetic-test-key-0123456789abcdef';

describe('keyed pseudonyms', () => {
  it('are the same for the same patient under the same key, and differ by patient and by key', () => {
    const a = keyedHash(KEY);
    expect(a.pseudonym('syn-1')).toBe(keyedHash(KEY).pseudonym('syn-1'));
    expect(a.pseudonym('syn-1')).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(a.pseudonym('syn-1')).not.toBe(a.pseudonym('syn-2'));
    expect(keyedHash(`${KEY}-other`).pseudonym('syn-1')).not.toBe(a.pseudonym('syn-1'));
  });

  it("a call's memo never answers for another patient than the one asked about", () => {
    const keyed = keyedHash(KEY);
    const call = forOneCall(keyed);
    expect(call.pseudonym('syn-1')).toBe(keyed.pseudonym('syn-1'));
    expect(call.pseudonym('syn-1')).toBe(keyed.pseudonym('syn-1'));
    expect(call.pseudonym('syn-2')).toBe(keyed.pseudonym('syn-2'));
    expect(call.pseudonym('syn-1')).toBe(keyed.pseudonym('syn-1'));
    expect(call.uuid('material')).toBe(keyed.uuid('material'));
  });

  it('asks the key once per patient within a call', () => {
    const keyed = keyedHash(KEY);
    let asked = 0;
    const call = forOneCall({ ...keyed, pseudonym: (id) => (asked++, keyed.pseudonym(id)) });
    for (let i = 0; i < 3; i++) call.pseudonym('syn-1');
    expect(asked).toBe(1);
  });
});
