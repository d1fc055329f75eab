// Turns a prefetch template into a concrete relative FHIR query for one call: every token the CDS
// Hooks specification defines, values checked (FHIR ids only) and URL-encoded. Pure.
import { FHIR_ID, RELATIVE_REFERENCE } from '../fhir/resources.js';
import type { HookCall } from '../cds-hooks/request-schema.js';

export type ResolvedTemplate = { ok: true; query: string } | { ok: false; problem: string };

/**
 * The `user*` tokens (CDS Hooks 2.0, "Prefetch tokens identifying the user"): each is the id part of
 * `context.userId` when the user is of that resource type, and unresolvable otherwise.
 */
const USER_TOKENS: Readonly<Record<string, string>> = {
  userPractitionerId: 'Practitioner',
  userPractitionerRoleId: 'PractitionerRole',
  userPatientId: 'Patient',
  userRelatedPersonId: 'RelatedPerson',
};

const TOKEN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Resolves one token to the text that replaces it, or says why it cannot be. */
function resolveToken(token: string, context: Record<string, unknown>): ResolvedTemplate {
  const userType = USER_TOKENS[token];
  if (userType !== undefined) {
    const ref = typeof context.userId === 'string' ? RELATIVE_REFERENCE.exec(context.userId) : null;
    if (ref === null || ref[1] !== userType) {
      return { ok: false, problem: `the template needs {{${token}}}, but the user is not a ${userType}` };
    }
    return { ok: true, query: encodeURIComponent(ref[2]!) };
  }

  // Only first-level context fields are tokens (CDS Hooks 2.0, "Prefetch tokens").
  const field = /^context\.([A-Za-z][A-Za-z0-9]*)$/.exec(token)?.[1];
  if (field === undefined) return { ok: false, problem: `the template uses {{${token}}}, which Vigil cannot resolve` };
  if (!Object.hasOwn(context, field) || context[field] === undefined) {
    return { ok: false, problem: `the template needs context.${field}, which the call did not carry` };
  }
  const value = context[field];
  if (typeof value !== 'string') return { ok: false, problem: `context.${field} is not a value a query can carry` };

  // userId is a reference (Type/id); every other token must be a plain FHIR id. Checking (not only
  // encoding) keeps a crafted value from turning a read into some other query on the EHR.
  if (field === 'userId') {
    const ref = RELATIVE_REFERENCE.exec(value);
    if (ref === null) return { ok: false, problem: 'context.userId is not a reference of the form Type/id' };
    return { ok: true, query: `${ref[1]!}/${encodeURIComponent(ref[2]!)}` };
  }
  if (!FHIR_ID.test(value)) return { ok: false, problem: `context.${field} is not a valid FHIR id` };
  return { ok: true, query: encodeURIComponent(value) };
}

/** Replaces every `{{token}}` in a template; the first unresolvable token fails the whole key. */
export function resolveTemplate(template: string, call: Pick<HookCall, 'context'>): ResolvedTemplate {
  const context = call.context as Record<string, unknown>;
  let failure: ResolvedTemplate | undefined;
  const query = template.replace(TOKEN, (_match, token: string) => {
    const resolved = resolveToken(token, context);
    if (!resolved.ok) {
      failure ??= resolved;
      return '';
    }
    return resolved.query;
  });
  if (failure !== undefined) return failure;
  if (query.includes('{{') || query.includes('}}')) return { ok: false, problem: 'the template has an unclosed token' };
  return { ok: true, query };
}

/**
 * The absolute URL of a resolved query on the call's FHIR server, or undefined when the query would
 * leave the server's base (an absolute URL, a `//host` or `..` path): templates are relative by
 * definition, and anything else would send the access token somewhere else.
 */
export function queryUrl(base: URL, query: string): URL | undefined {
  if (/^[a-z][a-z0-9+.-]*:|^[\\/]|#/i.test(query)) return undefined;
  const path = query.split('?', 1)[0]!;
  if (path.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) return undefined;
  const baseHref = base.href.endsWith('/') ? base.href : `${base.href}/`;
  const url = new URL(query, baseHref);
  // A token search's `system|code` keeps its bar as %7C: the URL parser leaves it bare, and servlet
  // containers refuse a bare one by default (Tomcat's relaxedQueryChars; integration review, 2026-11-29).
  if (url.search.includes('|')) url.search = url.search.replaceAll('|', '%7C');
  return url.origin === base.origin && url.href.startsWith(baseHref) ? url : undefined;
}
