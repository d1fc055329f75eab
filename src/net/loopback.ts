// Whether a host is this machine: the one test behind the development profile (HOST), plain http to a
// FHIR server (VIGIL_FHIR_ALLOW_HTTP_LOOPBACK) and plain http to a JWKS (trusted issuers).
import { isIPv4 } from 'node:net';

/**
 * True for `localhost`, IPv6 `::1` (bare, as HOST holds it, or bracketed, as a URL's hostname does)
 * and any IPv4 address in 127.0.0.0/8 (RFC 1122 §3.2.1.3: all of it is loopback).
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || (isIPv4(bare) && bare.startsWith('127.'));
}
