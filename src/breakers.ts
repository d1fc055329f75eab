// Circuit breakers (opossum) are watched one way wherever Vigil has one (the model; each FHIR origin):
// every state change reaches telemetry, and opening and closing are said in the log. A breaker's own
// refusals are told apart from the failures of the work it guards by opossum's isOurError, not by
// guessing at an error's fields.
import CircuitBreaker from 'opossum';
import { errorCode } from './errors.js';
import type { Telemetry } from './telemetry.js';

export interface BreakerLog {
  /** While false, the breaker no longer speaks for its name (a retired model's, whose successor does). */
  speaks?: () => boolean;
  /** Said when the breaker opens: calls now fail fast. */
  opened?: { log: (obj: object, msg: string) => void; msg: string; fields?: object };
  /** Said when it closes again after a successful trial call. */
  closed?: { log: (obj: object, msg: string) => void; msg: string };
}

/** Reports every state change of `breaker` to telemetry under `name`, and logs opening and closing as asked. */
export function watchBreaker(breaker: CircuitBreaker, name: string, telemetry: Telemetry, log: BreakerLog = {}): void {
  const speaks = log.speaks ?? (() => true);
  breaker.on('open', () => {
    if (!speaks()) return;
    telemetry.breakerState(name, 'open');
    log.opened?.log({ breaker: name, ...log.opened.fields }, log.opened.msg);
  });
  breaker.on('halfOpen', () => {
    if (speaks()) telemetry.breakerState(name, 'half-open');
  });
  breaker.on('close', () => {
    if (!speaks()) return;
    telemetry.breakerState(name, 'closed');
    log.closed?.log({ breaker: name }, log.closed.msg);
  });
}

/** Why a breaker refused a call itself: open (failing fast), or its own timeout; undefined for the work's own errors. */
export function breakerRefusal(error: unknown): 'open' | 'timeout' | undefined {
  if (!(error instanceof Error) || !CircuitBreaker.isOurError(error)) return undefined;
  const code = errorCode(error);
  if (code === 'EOPENBREAKER') return 'open';
  return code === 'ETIMEDOUT' ? 'timeout' : undefined;
}
