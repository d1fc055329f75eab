// parseJsonBody must refuse exactly what Fastify's JSON parser refuses (secure-json-parse with
// `__proto__` and `constructor.prototype` keys an error), also when it skips the full check.
import parseSecureJson from 'secure-json-parse';
import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../src/http/digest.js';

/** What Fastify's default parser gives: the value, or a refusal. */
function fastifyReading(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseSecureJson(text, { protoAction: 'error', constructorAction: 'error' }) };
  } catch {
    return { ok: false };
  }
}

const PAD = 'x'.repeat(2000);

const TEXTS: [string, string][] = [
  ['a __proto__ key', '{"hook":"patient-view","__proto__":{"admin":true}}'],
  ['a __proto__ key, space before the colon', '{"__proto__" :{"admin":true}}'],
  ['a __proto__ key spelt with escapes', '{"\\u005f\\u005fproto\\u005f\\u005f":{"admin":true}}'],
  ['a __proto__ key with one escaped letter', '{"__pr\\u006fto__":{"admin":true}}'],
  ['a constructor.prototype key', '{"constructor":{"prototype":{"admin":true}}}'],
  ['a constructor.prototype key spelt with escapes', '{"\\u0063onstructor":{"prototype":{"admin":true}}}'],
  ['a constructor key without prototype', '{"constructor":{"name":"x"}}'],
  ['__proto__ and constructor as values', `{"unit":"__proto__","code":"constructor","pad":"${PAD}"}`],
  ['a backslash elsewhere', `{"text":"line one\\nline two \\"quoted\\"","pad":"${PAD}"}`],
  ['a byte-order mark first', '\uFEFF{"hook":"patient-view"}'],
  ['a byte-order mark and a __proto__ key', '\uFEFF{"__proto__":{"admin":true}}'],
  ['plain JSON', `{"hook":"patient-view","context":{"patientId":"p1"},"pad":"${PAD}"}`],
  ['not JSON', '{"hook":'],
  ['a number', '42'],
  ['null', 'null'],
];

describe('parseJsonBody', () => {
  it.each(TEXTS)('reads %s as Fastify does', (_name, text) => {
    const parsed = parseJsonBody(text);
    expect(parsed.ok ? parsed : { ok: false }).toEqual(fastifyReading(text));
  });

  it('refuses every poisoned key, however it is spelt, and says it was a forbidden key', () => {
    for (const [name, text] of TEXTS.filter(([n]) => /^a (__proto__|constructor.prototype) key/.test(n))) {
      expect(parseJsonBody(text), name).toEqual({ ok: false, forbiddenKey: true });
    }
  });

  it('says text that is not JSON is not a forbidden key', () => {
    expect(parseJsonBody('{"hook":')).toEqual({ ok: false, forbiddenKey: false });
    expect(parseJsonBody('{"__proto__":')).toEqual({ ok: false, forbiddenKey: false });
  });

  it('reads a byte-order mark as Fastify does: skipped', () => {
    expect(parseJsonBody('\uFEFF{"hook":"patient-view"}')).toEqual({ ok: true, value: { hook: 'patient-view' } });
  });
});
