// Group commit with `gather`: a batch waits for items announced as coming, so under load one durable
// write serves several calls; it never waits when nothing is coming, and never longer than maxWaitMs.
// Ordering is proved with a fake clock and by counting commits, not by timing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Arrivals } from '../../src/journal/arrivals.js';
import { GroupCommit } from '../../src/journal/group-commit.js';

/** A commit that records its batches and finishes when the test says so. */
function controlledCommit() {
  const batches: string[][] = [];
  const finish: (() => void)[] = [];
  const commit = (batch: string[]) => {
    batches.push(batch);
    return new Promise<void>((resolve) => finish.push(resolve));
  };
  return { batches, commit, finishNext: () => finish.shift()?.() };
}

/** A group commit that gathers announced items for up to `maxWaitMs`, over a controlled commit. */
function gathering(maxWaitMs: number) {
  const c = controlledCommit();
  const arrivals = new Arrivals();
  const group = new GroupCommit(c.commit, Number.POSITIVE_INFINITY, { arrivals, maxWaitMs });
  return { ...c, arrivals, group };
}

describe('group commit', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('without gather, commits an item at once and batches what arrives meanwhile', async () => {
    const c = controlledCommit();
    const group = new GroupCommit(c.commit);
    const first = group.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([['a']]);
    const later = [group.add('b'), group.add('c')];
    c.finishNext();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([['a'], ['b', 'c']]);
    c.finishNext();
    await Promise.all(later);
  });

  it('waits for an announced item and commits both in one batch', async () => {
    const { group, arrivals, ...c } = gathering(5);
    const secondArrived = arrivals.announce();
    const first = group.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([]); // 'b' is on its way
    secondArrived();
    const second = group.add('b');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([['a', 'b']]);
    c.finishNext();
    await Promise.all([first, second]);
  });

  it('does not wait when nothing is announced', async () => {
    const { group, ...c } = gathering(5);
    const only = group.add('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([['a']]);
    c.finishNext();
    await only;
  });

  it('commits after maxWaitMs when an announced item never comes', async () => {
    const { group, arrivals, ...c } = gathering(5);
    arrivals.announce(); // never settled
    const stuck = group.add('a');
    await vi.advanceTimersByTimeAsync(4);
    expect(c.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.batches).toEqual([['a']]);
    c.finishNext();
    await stuck;
  });

  it('stops waiting for an item whose work ended without one, once another item is added', async () => {
    const { group, arrivals, ...c } = gathering(50);
    const refused = arrivals.announce();
    const third = arrivals.announce();
    const first = group.add('a');
    await vi.advanceTimersByTimeAsync(0);
    refused(); // e.g. a call answered 400: no record
    refused(); // settling twice counts once
    expect(arrivals.pending).toBe(1);
    third();
    const last = group.add('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([['a', 'c']]);
    c.finishNext();
    await Promise.all([first, last]);
  });

  it('commits at once when closed while gathering, and refuses items after', async () => {
    const { group, arrivals, ...c } = gathering(1000);
    arrivals.announce();
    const pending = group.add('a');
    await vi.advanceTimersByTimeAsync(0);
    const closed = group.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(c.batches).toEqual([['a']]);
    c.finishNext();
    await Promise.all([pending, closed]);
    await expect(group.add('b')).rejects.toThrow('closed');
  });
});
