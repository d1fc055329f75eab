// The time limit on a FHIR fetch: aborts on time or with its parent, and once done, never.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { timeLimit } from '../../src/net/time-limit.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a time limit', () => {
  it('aborts when its time passes, with a TimeoutError, and says it timed out', () => {
    const limit = timeLimit(200);
    vi.advanceTimersByTime(199);
    expect(limit.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(limit.signal.aborted).toBe(true);
    expect((limit.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(limit.timedOut()).toBe(true);
  });

  it('aborts with its parent, with the parent’s reason, and does not say it timed out', () => {
    const parent = new AbortController();
    const limit = timeLimit(200, parent.signal);
    parent.abort(new Error('the caller hung up'));
    expect(limit.signal.aborted).toBe(true);
    expect((limit.signal.reason as Error).message).toBe('the caller hung up');
    vi.advanceTimersByTime(500);
    expect(limit.timedOut()).toBe(false);
  });

  it('starts aborted under a parent that already was', () => {
    const parent = new AbortController();
    parent.abort();
    expect(timeLimit(200, parent.signal).signal.aborted).toBe(true);
  });

  it('once done, neither the time passing nor the parent aborts it, and no timer is left', () => {
    const parent = new AbortController();
    const limit = timeLimit(200, parent.signal);
    let events = 0;
    limit.signal.addEventListener('abort', () => (events += 1));
    limit.done();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    parent.abort();
    expect(limit.signal.aborted).toBe(false);
    expect(events).toBe(0);
    limit.done();
  });
});
