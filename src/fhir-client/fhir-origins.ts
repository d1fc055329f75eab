// Decides whether Vigil may talk to the FHIR server a call names: an allowlist of origins, https
// only unless a development setting allows plain http on loopback. The call's `fhirServer` comes from
// the client, so without this check anyone could point the service at any host (SSRF). Pure.
import { isLoopbackHost } from '../net/loopback.js';

export interface OriginPolicy {
  /** Normalised origins (URL.origin), as config.ts parses them. */
  allowedOrigins: readonly string[];
  allowHttpLoopback: boolean;
}

export type ServerCheck =
  | { ok: true; base: URL; origin: string }
  | {
      ok: false;
      code: 'FHIR_SERVER_INVALID' | 'FHIR_ORIGIN_NOT_ALLOWED' | 'FHIR_INSECURE';
      problem: string;
      /**
       * The refused server's origin (scheme://host[:port], URL.origin), for the operator's log: what
       * to add to VIGIL_FHIR_ALLOWED_ORIGINS. Never its path or query, which may carry ids.
       */
      origin?: string;
    };

export function checkFhirServer(fhirServer: string, policy: OriginPolicy): ServerCheck {
  let base: URL;
  try {
    base = new URL(fhirServer);
  } catch {
    return { ok: false, code: 'FHIR_SERVER_INVALID', problem: 'fhirServer is not a URL' };
  }
  // Credentials in the URL would travel with every request; a query or fragment has no meaning in a base.
  if (base.username !== '' || base.password !== '' || base.search !== '' || base.hash !== '') {
    return { ok: false, code: 'FHIR_SERVER_INVALID', problem: 'fhirServer must be a plain base URL' };
  }
  if (base.protocol === 'http:') {
    if (!(policy.allowHttpLoopback && isLoopbackHost(base.hostname))) {
      return {
        ok: false,
        code: 'FHIR_INSECURE',
        problem: 'the FHIR server is not on https, so the access token cannot be sent to it',
        origin: base.origin,
      };
    }
  } else if (base.protocol !== 'https:') {
    return { ok: false, code: 'FHIR_SERVER_INVALID', problem: 'fhirServer must be an https URL' };
  }
  if (!policy.allowedOrigins.includes(base.origin)) {
    return {
      ok: false,
      code: 'FHIR_ORIGIN_NOT_ALLOWED',
      problem: "the EHR's FHIR server is not on this service's allowlist",
      origin: base.origin,
    };
  }
  // A base always ends without a slash here, so relative queries resolve beneath it.
  base.pathname = base.pathname.replace(/\/+$/, '');
  return { ok: true, base, origin: base.origin };
}
