import { describe, expect, it } from 'vitest';
import type { HookCall } from '../../src/cds-hooks/request-schema.js';
import { queryUrl, resolveTemplate } from '../../src/fhir-client/resolve-template.js';
import { PATIENT_RISK_PREFETCH } from '../../src/prefetch/templates.js';
import { propertyRuns } from '../support/property.js';

const call = (context: Record<string, unknown>) => ({ context }) as unknown as Pick<HookCall, 'context'>;
const practitioner = call({ userId: 'Practitioner/COREPRACTITIONER1', patientId: 'p-1', encounterId: 'enc.7' });

describe('resolving prefetch tokens', () => {
  it.each([
    ['{{context.patientId}}', practitioner, 'p-1'],
    ['{{context.encounterId}}', practitioner, 'enc.7'],
    ['{{context.userId}}', practitioner, 'Practitioner/COREPRACTITIONER1'],
    ['{{userPractitionerId}}', practitioner, 'COREPRACTITIONER1'],
    ['{{userPractitionerRoleId}}', call({ userId: 'PractitionerRole/role-9', patientId: 'p-1' }), 'role-9'],
    ['{{userPatientId}}', call({ userId: 'Patient/p-1', patientId: 'p-1' }), 'p-1'],
    ['{{userRelatedPersonId}}', call({ userId: 'RelatedPerson/rp-2', patientId: 'p-1' }), 'rp-2'],
    ['{{ context.patientId }}', practitioner, 'p-1'],
  ])('resolves %s', (token, c, expected) => {
    expect(resolveTemplate(`X?a=${token}`, c)).toEqual({ ok: true, query: `X?a=${expected}` });
  });

  it('resolves every token of every template a service declares', () => {
    for (const template of Object.values(PATIENT_RISK_PREFETCH)) {
      const resolved = resolveTemplate(template, practitioner);
      expect(resolved.ok && resolved.query).toMatch(/^(Patient\/p-1|(Observation|Goal)\?patient=p-1&)/);
      expect(resolved.ok && resolved.query).not.toContain('{{');
    }
  });

  it.each([
    [
      'an encounter token when the call has no encounter',
      '{{context.encounterId}}',
      call({ userId: 'Practitioner/a', patientId: 'p' }),
      /context.encounterId/,
    ],
    [
      'a practitioner token when the user is a patient',
      '{{userPractitionerId}}',
      call({ userId: 'Patient/p', patientId: 'p' }),
      /not a Practitioner/,
    ],
    ['a role token when the user is a practitioner', '{{userPractitionerRoleId}}', practitioner, /not a PractitionerRole/],
    ['an id with a slash', '{{context.patientId}}', call({ userId: 'Practitioner/a', patientId: 'p/../Other' }), /not a valid FHIR id/],
    [
      'an id with a query in it',
      '{{context.patientId}}',
      call({ userId: 'Practitioner/a', patientId: 'p&_count=9999' }),
      /not a valid FHIR id/,
    ],
    [
      'an id of 65 characters',
      '{{context.patientId}}',
      call({ userId: 'Practitioner/a', patientId: 'a'.repeat(65) }),
      /not a valid FHIR id/,
    ],
    ['a user that is not a reference', '{{context.userId}}', call({ userId: 'https://evil.example/x', patientId: 'p' }), /Type\/id/],
    [
      'a context field that is not a string',
      '{{context.selections}}',
      call({ userId: 'Practitioner/a', patientId: 'p', selections: ['x'] }),
      /not a value/,
    ],
    ['an unknown token', '{{today()}}', practitioner, /cannot resolve/],
    ['a token nested deeper than context', '{{context.draftOrders.id}}', practitioner, /cannot resolve/],
  ])('refuses %s', (_name, template, c, problem) => {
    const resolved = resolveTemplate(`Observation?x=${template}`, c);
    expect(resolved.ok).toBe(false);
    expect(!resolved.ok && resolved.problem).toMatch(problem);
  });

  it('never puts the refused value into the problem it reports', () => {
    const resolved = resolveTemplate('Patient/{{context.patientId}}', call({ userId: 'Practitioner/a', patientId: 'SECRET-NAME smith' }));
    expect(!resolved.ok && resolved.problem).not.toContain('SECRET');
  });
});

describe('placing a resolved query on the FHIR server', () => {
  const base = new URL('https://ehr.example/fhir/r4');

  it.each([
    ['Patient/p-1', 'https://ehr.example/fhir/r4/Patient/p-1'],
    [
      'Observation?patient=p-1&code=http://loinc.org|67775-7,http://loinc.org|3150-0',
      // The bar of a token search as %7C: Tomcat refuses a bare one by default (integration review, 2026-11-29).
      'https://ehr.example/fhir/r4/Observation?patient=p-1&code=http://loinc.org%7C67775-7,http://loinc.org%7C3150-0',
    ],
  ])('puts %s beneath the base', (query, href) => {
    expect(queryUrl(base, query)?.href).toBe(href);
  });

  it.each([
    ['an absolute URL', 'https://evil.example/Patient/1'],
    ['a scheme-relative URL', '//evil.example/Patient/1'],
    ['an absolute path', '/other/Patient/1'],
    ['a parent segment', 'Patient/../../admin'],
    ['an id made of dots', 'Patient/..'],
    ['a fragment', 'Patient/1#x'],
  ])('refuses %s', (_name, query) => {
    expect(queryUrl(base, query)).toBeUndefined();
  });
});

describe('any context value a caller may send', () => {
  it('resolves exactly the valid FHIR ids, each to a read beneath the FHIR base naming that id', async ({ annotate }) => {
    const fc = await import('fast-check');
    const base = new URL('https://ehr.example/fhir');
    // The oracle is the FHIR R4 id rule ([A-Za-z0-9\-.]{1,64}), written here independently of the code.
    const VALID_ID = /^[A-Za-z0-9\-.]{1,64}$/;
    let resolvedCount = 0;
    const ran = await propertyRuns(
      annotate,
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9\-.%/?#&=:]{1,70}$/), fc.stringMatching(VALID_ID)), (patientId) => {
        const resolved = resolveTemplate('Patient/{{context.patientId}}', call({ userId: 'Practitioner/a', patientId }));
        expect(resolved.ok).toBe(VALID_ID.test(patientId));
        if (!resolved.ok) return;
        resolvedCount += 1;
        expect(resolved.query).toBe(`Patient/${patientId}`);
        const url = queryUrl(base, resolved.query);
        // "." and ".." are valid ids but would climb out of the base as path segments: refused.
        if (patientId === '.' || patientId === '..') expect(url).toBeUndefined();
        else expect(url?.href).toBe(`https://ehr.example/fhir/Patient/${patientId}`);
      }),
      { minRuns: 2000, timeLimitMs: 2000, maxRuns: 20_000 },
    );
    // A third of the cases are drawn as valid ids: a resolver that refused everything fails above, and here.
    expect(resolvedCount).toBeGreaterThan(ran / 6);
  });
});
