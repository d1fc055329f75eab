// The digest threads (src/http/digest-pool.ts): a body digested on a worker thread is digested as it
// would be inline, and a thread that dies fails only the calls it held and is replaced.
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DigestPool,
  HELD_PER_THREAD,
  inlineDigester,
  OFFLOAD_MIN_BYTES,
  SHARE_FIRST_MAX_BYTES,
  SHARE_MAX_BYTES,
} from '../../src/http/digest-pool.js';
import { deteriorationRisk } from '../../src/hooks/deterioration-risk.js';
import { patientViewCall, template, ward, withFreshInstance } from '../../bench/lib/ward.js';

const SETTINGS = { staleAfterHours: 12 };
const now = new Date();
const templates = ward(6, now).map((p) => template(patientViewCall(p)));
const bodies = templates.map((t) => withFreshInstance(t));

/** A body's bytes, as the HTTP layer hands them over: each call its own (a thread takes them over). */
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** The pool's worker threads, reached past `private` to kill one as a crash would. */
interface ThreadHandle {
  worker: { terminate(): Promise<number> };
}
function threadsOf(pool: DigestPool): ThreadHandle[] {
  return (pool as unknown as { threads: ThreadHandle[] }).threads;
}

describe('digest threads', () => {
  let pool: DigestPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('digest a call on a worker thread exactly as the event loop would', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const inline = inlineDigester(SETTINGS);
    for (const body of bodies) {
      expect(body.length).toBeGreaterThan(OFFLOAD_MIN_BYTES); // so it really goes to the thread
      const threaded = await pool.digest(deteriorationRisk, bytes(body), now.getTime());
      expect(threaded.kind).toBe('prepared');
      expect(threaded).toEqual(await inline.digest(deteriorationRisk, bytes(body), now.getTime()));
    }
  }, 30_000);

  it('answer a deeply nested call with a refusal, not a reply the event loop cannot read (a hang until now)', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    // Built as text: JSON.stringify itself recurses, and would overflow this thread's stack first.
    const deep = `${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}`;
    const body = bodies[0]!.replace('"context":{', `"context":{"deep":${deep},`);
    const digest = await pool.digest(deteriorationRisk, bytes(body), now.getTime());
    expect(digest).toMatchObject({ kind: 'invalid', issues: [{ code: 'structure', expression: ['context'] }] });
    expect(pool.digested.threads).toBe(1);
  }, 30_000);

  it('fail only the oldest call a thread holds when its reply cannot be read, and go on', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const worker = threadsOf(pool)[0]!.worker as unknown as { emit(event: string, ...args: unknown[]): boolean };
    const first = pool.digest(deteriorationRisk, bytes(bodies[0]!), now.getTime());
    const second = pool.digest(deteriorationRisk, bytes(bodies[1]!), now.getTime());
    // What Node emits when a reply from the thread cannot be deserialised; it names no call.
    worker.emit('messageerror', new Error('could not deserialize'));
    await expect(first).rejects.toThrow('digest reply could not be read');
    expect((await second).kind).toBe('prepared');
    expect((await pool.digest(deteriorationRisk, bytes(bodies[2]!), now.getTime())).kind).toBe('prepared');
  }, 30_000);

  it('take over the memory of a body it sends to a thread, and never memory the body shares with anything else', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const inline = inlineDigester(SETTINGS);
    // A body Fastify gathered owns its memory: handed to the thread, not copied.
    const own = bytes(bodies[0]!);
    const digest = await pool.digest(deteriorationRisk, own, now.getTime());
    expect(digest).toEqual(await inline.digest(deteriorationRisk, bytes(bodies[0]!), now.getTime()));
    expect(own.byteLength).toBe(0);
    // A body that is a view into a larger buffer: copied, so what sits beside it is still there.
    const text = bodies[1]!;
    const shared = Buffer.alloc(text.length + 16, 'z');
    shared.write(text, 8, 'utf8');
    const view = shared.subarray(8, 8 + text.length);
    expect(await pool.digest(deteriorationRisk, view, now.getTime())).toEqual(
      await inline.digest(deteriorationRisk, bytes(text), now.getTime()),
    );
    expect(shared.byteLength).toBe(text.length + 16);
    expect(shared.subarray(0, 8).toString()).toBe('zzzzzzzz');
    expect(view.toString('utf8')).toBe(text);
  }, 30_000);

  it('decode a body with characters beyond ASCII on a thread as Fastify decodes it inline', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const inline = inlineDigester(SETTINGS);
    // An extension the call carries through (unknown fields are kept): characters of two, three and
    // four bytes in UTF-8.
    const text = `{"extension":{"com.example.note":"Zoë Ångström 患者 𝔄"},${bodies[2]!.slice(1)}`;
    const threaded = await pool.digest(deteriorationRisk, bytes(text), now.getTime());
    expect(threaded.kind).toBe('prepared');
    expect(threaded).toEqual(await inline.digest(deteriorationRisk, bytes(text), now.getTime()));
    expect(JSON.stringify(threaded)).toContain('Zoë Ångström 患者 𝔄');
  }, 30_000);

  it('answer a refusal for a large body that is not JSON, as Fastify would, without losing the thread', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const garbled = `${bodies[0]!.slice(0, -10)}`;
    expect(await pool.digest(deteriorationRisk, bytes(garbled), now.getTime())).toEqual({ kind: 'invalid-json', forbiddenKey: false });
    const poisoned = `{"__proto__":{"x":1},"pad":"${'x'.repeat(OFFLOAD_MIN_BYTES)}"}`;
    expect(await pool.digest(deteriorationRisk, bytes(poisoned), now.getTime())).toEqual({ kind: 'invalid-json', forbiddenKey: true });
    expect((await pool.digest(deteriorationRisk, bytes(bodies[1]!), now.getTime())).kind).toBe('prepared');
  }, 30_000);

  it('fail only the calls a dying thread held, and digest the next call on a new thread', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    expect((await pool.digest(deteriorationRisk, bytes(bodies[0]!), now.getTime())).kind).toBe('prepared');
    // A call the thread is still busy with when it dies: a body large enough (~20 MB of JSON) that
    // reading it takes the thread far longer than terminating it takes us.
    const huge = JSON.stringify({ hook: 'patient-view', pad: Array.from({ length: 400_000 }, (_, i) => ({ i, text: 'padding padding' })) });
    const held = pool.digest(deteriorationRisk, bytes(huge), now.getTime());
    const dead = threadsOf(pool)[0]!;
    await dead.worker.terminate();
    await expect(held).rejects.toThrow(/digest thread exited/);
    expect(threadsOf(pool)[0]).not.toBe(dead);
    expect((await pool.digest(deteriorationRisk, bytes(bodies[2]!), now.getTime())).kind).toBe('prepared');
  }, 30_000);

  it('share a burst between the thread and the event loop, every call digested as inline', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const burst = Array.from({ length: 12 }, (_, i) => withFreshInstance(templates[i % templates.length]!));
    const digests = await Promise.all(burst.map((b) => pool!.digest(deteriorationRisk, bytes(b), now.getTime())));
    const inline = inlineDigester(SETTINGS);
    for (const [i, d] of digests.entries()) expect(d).toEqual(await inline.digest(deteriorationRisk, bytes(burst[i]!), now.getTime()));
    // The thread held HELD_PER_THREAD at a time; the event loop took some of the rest on its turns.
    expect(pool.digested.threads + pool.digested.eventLoop).toBe(12);
    expect(pool.digested.threads).toBeGreaterThanOrEqual(HELD_PER_THREAD);
    expect(pool.digested.eventLoop).toBeGreaterThan(0);
  }, 30_000);

  it('never digest a body larger than SHARE_MAX_BYTES on the event loop, however many wait', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const large = Array.from({ length: 6 }, (_, i) => JSON.stringify({ hook: 'patient-view', i, pad: 'x'.repeat(SHARE_MAX_BYTES) }));
    const digests = await Promise.all(large.map((b) => pool!.digest(deteriorationRisk, bytes(b), now.getTime())));
    expect(digests.map((d) => d.kind)).toEqual(Array(6).fill('invalid'));
    expect(pool.digested).toEqual({ threads: 6, eventLoop: 0 });
  }, 30_000);

  it("share bodies up to the heavy lane's size, and none above the bound the server sets", async () => {
    // Four times the ward patient's vital signs (~190 KiB, as 48 hours of hourly sets would be): above the
    // 128 KiB bound of before, below the heavy lane's 256 KiB.
    const big = JSON.stringify(
      patientViewCall({ ...ward(1, now)[0]!, vitals: Array.from({ length: 4 }, () => ward(1, now)[0]!.vitals).flat() }),
    );
    expect(big.length).toBeGreaterThan(128 * 1024);
    expect(big.length).toBeLessThan(SHARE_MAX_BYTES);
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const shared = await Promise.all(Array.from({ length: 8 }, () => pool!.digest(deteriorationRisk, bytes(big), now.getTime())));
    expect(shared.map((d) => d.kind)).toEqual(Array(8).fill('prepared'));
    expect(pool.digested.eventLoop).toBeGreaterThan(0);
    await pool.close();
    // A server whose heavy lane starts lower shares only what is below it, even with smaller bodies waiting beside.
    pool = new DigestPool({ threads: 1, settings: SETTINGS, shareMaxBytes: 16 * 1024 });
    const small = JSON.stringify({ hook: 'patient-view', pad: 'x'.repeat(OFFLOAD_MIN_BYTES) });
    const mixed = bodies.concat(bodies).flatMap((b) => [b, small]);
    const kept = await Promise.all(mixed.map((b) => pool!.digest(deteriorationRisk, bytes(b), now.getTime())));
    expect(kept.map((d) => d.kind)).toEqual(mixed.map((b) => (b === small ? 'invalid' : 'prepared')));
    // Every ward body went to the thread; the event loop took only small ones.
    expect(pool.digested.threads + pool.digested.eventLoop).toBe(24);
    expect(pool.digested.eventLoop).toBeGreaterThan(0);
    expect(pool.digested.eventLoop).toBeLessThanOrEqual(12);
  }, 30_000);

  it('take the ward-sized bodies waiting before a larger one, which the thread is better placed to digest', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const huge = JSON.stringify({ hook: 'patient-view', pad: Array.from({ length: 400_000 }, (_, i) => ({ i, text: 'padding padding' })) });
    const big = JSON.stringify(
      patientViewCall({ ...ward(1, now)[0]!, vitals: Array.from({ length: 4 }, () => ward(1, now)[0]!.vitals).flat() }),
    );
    expect(big.length).toBeGreaterThan(SHARE_FIRST_MAX_BYTES);
    const finished: string[] = [];
    const call = (name: string, body: string) =>
      pool!.digest(deteriorationRisk, bytes(body), now.getTime()).then((d) => {
        finished.push(name);
        return d.kind;
      });
    // The thread holds the huge body (a long parse) and the first small one; the big one waits, then another small one.
    const kinds = await Promise.all([call('huge', huge), call('held', bodies[0]!), call('big', big), call('small', bodies[1]!)]);
    expect(kinds).toEqual(['invalid', 'prepared', 'prepared', 'prepared']);
    // The event loop took the small one first, though it arrived later, and the big one after it.
    expect(finished.indexOf('small')).toBeLessThan(finished.indexOf('big'));
    expect(finished.indexOf('big')).toBeLessThan(finished.indexOf('huge'));
  }, 30_000);

  it('leave the event loop idle while only bodies too large for it wait for the thread', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    // The thread is handed the huge body (a long parse) and one large one; four more large ones wait.
    const huge = JSON.stringify({ hook: 'patient-view', pad: Array.from({ length: 400_000 }, (_, i) => ({ i, text: 'padding padding' })) });
    const large = JSON.stringify({ hook: 'patient-view', pad: 'x'.repeat(SHARE_MAX_BYTES) });
    const before = performance.eventLoopUtilization();
    const digests = await Promise.all([huge, ...Array(5).fill(large)].map((b) => pool!.digest(deteriorationRisk, bytes(b), now.getTime())));
    const busy = performance.eventLoopUtilization(before);
    expect(digests.map((d) => d.kind)).toEqual(Array(6).fill('invalid'));
    expect(pool.digested).toEqual({ threads: 6, eventLoop: 0 });
    // Waiting is idle time: an event loop that kept looking for work it may not take would be busy
    // nearly all of it (utilisation ~1). Handing the bodies over and taking the answers is a sliver.
    expect(busy.utilization).toBeLessThan(0.5);
  }, 30_000);

  it('digest the calls still waiting when a thread dies: only those it held fail', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    // The thread is handed the huge body and the first small one; the other three wait in the queue.
    const huge = JSON.stringify({ hook: 'patient-view', pad: Array.from({ length: 400_000 }, (_, i) => ({ i, text: 'padding padding' })) });
    const held = [
      pool.digest(deteriorationRisk, bytes(huge), now.getTime()),
      pool.digest(deteriorationRisk, bytes(bodies[0]!), now.getTime()),
    ];
    const waiting = bodies.slice(1, 4).map((b) => pool!.digest(deteriorationRisk, bytes(b), now.getTime()));
    const dead = threadsOf(pool)[0]!;
    await dead.worker.terminate();
    for (const h of held) await expect(h).rejects.toThrow(/digest thread exited/);
    expect((await Promise.all(waiting)).map((d) => d.kind)).toEqual(['prepared', 'prepared', 'prepared']);
  }, 30_000);

  it('close even when a thread dies while closing: what it held and what waited fail, nothing hangs', async () => {
    pool = new DigestPool({ threads: 1, settings: SETTINGS });
    const huge = JSON.stringify({ hook: 'patient-view', pad: Array.from({ length: 400_000 }, (_, i) => ({ i, text: 'padding padding' })) });
    const large = JSON.stringify({ hook: 'patient-view', pad: 'x'.repeat(SHARE_MAX_BYTES) });
    // The thread holds the huge body and one large one; the other large one waits (never for the event loop).
    const calls = [huge, large, large].map((b) =>
      pool!.digest(deteriorationRisk, bytes(b), now.getTime()).then(
        () => 'digested',
        () => 'failed',
      ),
    );
    const closing = pool.close();
    await threadsOf(pool)[0]!.worker.terminate();
    await closing;
    expect(await Promise.all(calls)).toEqual(['failed', 'failed', 'failed']);
    pool = undefined;
  }, 30_000);
});
