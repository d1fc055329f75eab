// How long to wait before retrying an idempotent FHIR read: exponential backoff with jitter, or the
// server's own `Retry-After` when it asks for longer. Pure: the clock and the dice are parameters.

/** First retry waits around this long; each further retry doubles it. Small: the whole call has ~300 ms. */
export const BACKOFF_BASE_MS = 20;

/**
 * "Equal jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): half the
 * exponential step is fixed, half random, so retries from parallel keys spread out but never retry at once.
 */
export function backoffMs(attempt: number, random: () => number, baseMs = BACKOFF_BASE_MS): number {
  const step = baseMs * 2 ** attempt;
  return step / 2 + random() * (step / 2);
}

/** `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** The wait before the next attempt: the server's Retry-After when longer than our own backoff. */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  return Math.max(backoffMs(attempt, random), retryAfterMs ?? 0);
}
