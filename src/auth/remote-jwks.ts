// Keys fetched from an issuer's allowlisted jku URLs: cached, refreshed when a token names a kid we do
// not have (key rotation) but at most once per interval per URL, so a stream of made-up kids cannot
// turn Vigil into a request amplifier. Callers check the URL against the allowlist before asking.
import { discard, readCapped } from '../net/read-capped.js';
import { JwksError, parseJwks, type VerifyKey } from './jwks.js';

export interface RemoteJwksOptions {
  timeoutMs: number;
  /** A fetched JWKS is used without refetching for this long. */
  cacheMs: number;
  /** Least time between two fetches of one URL (an unknown kid or an expired cache triggers one). */
  minRefreshMs: number;
  clock: () => Date;
  fetch?: typeof fetch;
}

/** A JWKS is a few keys: anything much bigger is not one. */
const MAX_JWKS_BYTES = 64 * 1024;

interface Entry {
  keys: Map<string, VerifyKey>;
  fetchedAt: number;
}

export class RemoteJwks {
  private readonly entries = new Map<string, Entry>();
  private readonly lastAttempt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: RemoteJwksOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
  }

  /**
   * The key `kid` from the JWKS at `url`, fetching or refreshing it when allowed; undefined when the
   * JWKS (fresh or, if the fetch fails, the last good one) has no such key.
   */
  async key(url: string, kid: string): Promise<VerifyKey | undefined> {
    const now = this.opts.clock().getTime();
    const entry = this.entries.get(url);
    const fresh = entry !== undefined && now - entry.fetchedAt < this.opts.cacheMs;
    if (fresh && entry.keys.has(kid)) return entry.keys.get(kid);
    const last = this.lastAttempt.get(url);
    if (last === undefined || now - last >= this.opts.minRefreshMs) await this.refresh(url, now);
    return this.entries.get(url)?.keys.get(kid);
  }

  /** True when this URL has never been fetched successfully (a key_unavailable, not unknown_kid). */
  neverLoaded(url: string): boolean {
    return !this.entries.has(url);
  }

  private refresh(url: string, now: number): Promise<void> {
    const running = this.inFlight.get(url);
    if (running !== undefined) return running;
    this.lastAttempt.set(url, now);
    const p = this.load(url)
      .then((keys) => {
        this.entries.set(url, { keys, fetchedAt: now });
      })
      // A failed fetch keeps the last good keys: an issuer's outage should not lock its clients out.
      .catch(() => undefined)
      .finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, p);
    return p;
  }

  private async load(url: string): Promise<Map<string, VerifyKey>> {
    const res = await this.fetchImpl(url, {
      // A redirect would leave the allowlist: refuse it.
      redirect: 'error',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    if (!res.ok || res.body === null) {
      await discard(res);
      throw new JwksError('JWKS_HTTP_ERROR', `JWKS fetch answered ${res.status}`);
    }
    return parseJwks(JSON.parse(await readCapped(res, MAX_JWKS_BYTES)));
  }
}
