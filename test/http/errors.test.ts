// Every error status a client can meet, each with an OperationOutcome that names the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testApp } from '../support/app.js';
import { loadFixtures } from '../support/fixtures.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => app.close());

const base = loadFixtures().find((f) => f.name === 'deterioration-risk/news2-low-info')!.request;
const order = loadFixtures().find((f) => f.name === 'sedation-safety/opioid-low-respiratory-rate')!.request;

function without(obj: Record<string, unknown>, path: string[]): Record<string, unknown> {
  const copy = structuredClone(obj);
  let cur: Record<string, unknown> = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  delete cur[path[path.length - 1]!];
  return copy;
}

function withValue(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  let cur: Record<string, unknown> = copy;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}

async function post(service: string, payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/cds-services/${service}`, payload: payload as string, headers });
}

function expressions(body: { issue: { expression?: string[] }[] }): string[] {
  return body.issue.flatMap((i) => i.expression ?? []);
}

describe('400 names the offending field', () => {
  it.each([
    ['hook missing', without(base, ['hook']), 'hook'],
    ['hookInstance missing', without(base, ['hookInstance']), 'hookInstance'],
    ['hookInstance not a UUID', withValue(base, ['hookInstance'], 'not-a-uuid'), 'hookInstance'],
    ['context missing', without(base, ['context']), 'context'],
    ['patientId missing', without(base, ['context', 'patientId']), 'context.patientId'],
    ['patientId not a FHIR id', withValue(base, ['context', 'patientId'], 'a b/c'), 'context.patientId'],
    ['userId missing', without(base, ['context', 'userId']), 'context.userId'],
    ['userId not Type/id', withValue(base, ['context', 'userId'], 'COREPRACTITIONER1'), 'context.userId'],
    ['userId of a type that cannot be a user', withValue(base, ['context', 'userId'], 'Device/x1'), 'context.userId'],
    [
      'fhirAuthorization without fhirServer',
      withValue(base, ['fhirAuthorization'], {
        access_token: 'secret',
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'patient/*.read',
        subject: 'cds',
      }),
      'fhirServer',
    ],
    ['fhirServer not a URL', withValue(base, ['fhirServer'], 'not a url'), 'fhirServer'],
    ['prefetch value a string', withValue(base, ['prefetch', 'vitals'], 'nope'), 'prefetch.vitals'],
  ])('patient-view: %s', async (_case, payload, expression) => {
    const res = await post('deterioration-risk', payload);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.resourceType).toBe('OperationOutcome');
    expect(expressions(body)).toContain(expression);
  });

  it.each([
    ['selections missing', without(order, ['context', 'selections']), 'context.selections'],
    ['selections empty', withValue(order, ['context', 'selections'], []), 'context.selections'],
    [
      'more than 50 selections',
      withValue(
        order,
        ['context', 'selections'],
        Array.from({ length: 51 }, (_, i) => `MedicationRequest/mr-${i}`),
      ),
      'context.selections',
    ],
    ['a selection not Type/id', withValue(order, ['context', 'selections'], ['mr-1']), 'context.selections[0]'],
    [
      'a selection not in draftOrders',
      withValue(order, ['context', 'selections'], ['MedicationRequest/not-drafted']),
      'context.selections[0]',
    ],
    [
      'fhirAuthorization without fhirServer',
      without(withValue(order, ['fhirAuthorization'], { access_token: 'secret', token_type: 'Bearer', expires_in: 300, subject: 'cds' }), [
        'fhirServer',
      ]),
      'fhirServer',
    ],
    ['draftOrders missing', without(order, ['context', 'draftOrders']), 'context.draftOrders'],
    [
      'draftOrders not a Bundle',
      withValue(order, ['context', 'draftOrders'], { resourceType: 'MedicationRequest' }),
      'context.draftOrders.resourceType',
    ],
  ])('order-select: %s', async (_case, payload, expression) => {
    const res = await post('sedation-safety', payload);
    expect(res.statusCode).toBe(400);
    expect(expressions(res.json())).toContain(expression);
  });

  it('refuses a call for another hook with a message naming hook', async () => {
    const res = await post('sedation-safety', base);
    expect(res.statusCode).toBe(400);
    expect(expressions(res.json())).toEqual(['hook']);
  });

  it('refuses a body that is JSON but not an object', async () => {
    const res = await post('deterioration-risk', '[1,2]', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
  });

  it('refuses malformed JSON', async () => {
    const res = await post('deterioration-risk', '{"hook": ', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().resourceType).toBe('OperationOutcome');
  });

  it.each([
    ['context a string', withValue(base, ['context'], 'x'), 'context must be an object'],
    ['patientId a number', withValue(base, ['context', 'patientId'], 7), 'context.patientId must be a string'],
    ['prefetch a number', withValue(base, ['prefetch'], 7), 'prefetch must be an object'],
    ['fhirAuthorization a string', withValue(base, ['fhirAuthorization'], 'Bearer x'), 'fhirAuthorization must be an object'],
  ])('says a field of the wrong type is of the wrong type, not that it is missing: %s', async (_case, payload, diagnostics) => {
    const res = await post('deterioration-risk', payload);
    expect(res.statusCode).toBe(400);
    const outcome = res.json<{ issue: { code: string; diagnostics: string }[] }>();
    const issue = outcome.issue.find((i) => i.diagnostics === diagnostics);
    expect(issue?.code).toBe('invalid');
  });

  it('still says a missing field is required', async () => {
    const res = await post('deterioration-risk', without(base, ['context', 'patientId']));
    expect(res.json().issue).toContainEqual(expect.objectContaining({ code: 'required', diagnostics: 'context.patientId is required' }));
  });

  it('refuses objects nested thousands of levels deep, naming where, in context and in a prefetch left to fetch', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) deep = { a: deep };
    const inContext = await post('deterioration-risk', withValue(base, ['context', 'deep'], deep));
    expect(inContext.statusCode).toBe(400);
    expect(inContext.json().resourceType).toBe('OperationOutcome');
    expect(inContext.json().issue[0].diagnostics).toBe('context nests objects or arrays more than 100 levels deep');
    const inPrefetch = await post(
      'deterioration-risk',
      withValue(without(base, ['prefetch', 'vitals']), ['prefetch', 'deep'], { resourceType: 'Observation', extension: deep }),
    );
    expect(inPrefetch.statusCode).toBe(400);
    expect(expressions(inPrefetch.json())).toEqual(['prefetch']);
  });

  it.each(['gzip', 'xyz'])('refuses a body with Content-Encoding %s with 415, never reads it as plain JSON', async (coding) => {
    const res = await post('deterioration-risk', JSON.stringify(base), { 'content-type': 'application/json', 'content-encoding': coding });
    expect(res.statusCode).toBe(415);
    expect(res.json().issue[0].diagnostics).toBe('the request body must not be compressed (Content-Encoding is not supported)');
  });

  it('accepts Content-Encoding: identity', async () => {
    const res = await post('deterioration-risk', JSON.stringify(base), {
      'content-type': 'application/json',
      'content-encoding': 'identity',
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses prototype poisoning, naming the key rather than calling the body invalid JSON', async () => {
    const res = await post('deterioration-risk', '{"__proto__": {"admin": true}, "hook": "patient-view"}', {
      'content-type': 'application/json',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().resourceType).toBe('OperationOutcome');
    expect(res.json().issue[0].diagnostics).toContain('"__proto__"');
    expect(res.body).not.toContain('not valid JSON');
    const broken = await post('deterioration-risk', '{"hook": ', { 'content-type': 'application/json' });
    expect(broken.json().issue[0].diagnostics).toBe('the request body is not valid JSON');
  });

  it('tolerates unknown fields and extension', async () => {
    const payload: Record<string, unknown> = { ...structuredClone(base), extension: { 'com.example.flag': true }, somethingNew: 1 };
    (payload.context as Record<string, unknown>).extension = { 'org.example': 'x' };
    const res = await post('deterioration-risk', payload);
    expect(res.statusCode).toBe(200);
  });

  it('does not echo patient identifiers in error messages', async () => {
    const res = await post('deterioration-risk', withValue(base, ['context', 'patientId'], 'SECRET PATIENT 123'));
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('SECRET PATIENT');
  });
});

describe('other statuses', () => {
  it('404 for an unknown service, with an OperationOutcome', async () => {
    const res = await post('no-such-service', base);
    expect(res.statusCode).toBe(404);
    expect(res.json().resourceType).toBe('OperationOutcome');
  });

  it('404 for an unknown path', async () => {
    const res = await app.inject({ method: 'GET', url: '/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().resourceType).toBe('OperationOutcome');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('415 for a %s body', async (type) => {
    const res = await post('deterioration-risk', JSON.stringify(base), { 'content-type': type });
    expect(res.statusCode).toBe(415);
    expect(res.json().resourceType).toBe('OperationOutcome');
  });

  it('accepts application/fhir+json and a charset', async () => {
    const a = await post('deterioration-risk', JSON.stringify(base), { 'content-type': 'application/fhir+json' });
    const b = await post('deterioration-risk', JSON.stringify(base), { 'content-type': 'application/json; charset=utf-8' });
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
  });

  it('413 for a body over the limit', async () => {
    const small = await testApp({}, { VIGIL_BODY_LIMIT_BYTES: '2048' });
    const res = await small.inject({
      method: 'POST',
      url: '/cds-services/deterioration-risk',
      payload: { ...base, padding: 'x'.repeat(4096) },
    });
    await small.close();
    expect(res.statusCode).toBe(413);
    expect(res.json().resourceType).toBe('OperationOutcome');
  });

  it('412 when required vitals are absent and there is no FHIR server', async () => {
    const res = await post('deterioration-risk', without(base, ['prefetch']));
    expect(res.statusCode).toBe(412);
    expect(expressions(res.json())).toContain('prefetch.vitals');
  });

  it('500 hides internals when a scorer throws', async () => {
    const broken = await testApp({
      scorer: {
        assess: async () => {
          throw new Error('secret internal detail at /srv/vigil/x.ts:12');
        },
        describe: () => ({ model: 'not-configured' }),
        close: async () => {},
      },
    });
    const res = await broken.inject({ method: 'POST', url: '/cds-services/deterioration-risk', payload: base });
    await broken.close();
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internal detail');
    expect(res.json().resourceType).toBe('OperationOutcome');
  });
});
