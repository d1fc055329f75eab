// Large requests take a slot before their body is read, wait for one otherwise, are turned away with
// 503 when too many wait, and rest in proportion to what they took; ordinary calls never wait.
// The benchmark (npm run bench:heavy) shows what that does to other callers' latency.
import { EventEmitter } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BusyError, HeavyLane, isHeavy, restAfter, type HeavyLaneConfig } from '../../src/http/heavy-lane.js';
import { criticalCall } from '../observability/hook-calls.js';
import { testApp } from '../support/app.js';

const config = (over: Partial<HeavyLaneConfig> = {}): HeavyLaneConfig => ({
  VIGIL_HEAVY_BODY_BYTES: 1000,
  VIGIL_HEAVY_CONCURRENCY: 1,
  VIGIL_HEAVY_WAIT_MS: 10_000,
  VIGIL_HEAVY_QUEUE: 4,
  VIGIL_HEAVY_SHARE: 1,
  ...over,
});

/** The little of a request and its reply the lane looks at: headers, the socket, the response's close. */
function exchange(bytes: number | undefined) {
  const socket = new EventEmitter();
  const raw = Object.assign(new EventEmitter(), { destroyed: false });
  const incoming = Object.assign(new EventEmitter(), { socket });
  const request = { headers: bytes === undefined ? {} : { 'content-length': String(bytes) }, raw: incoming } as unknown as FastifyRequest;
  const reply = { raw } as unknown as FastifyReply;
  return {
    request,
    reply,
    bodyIn: () => incoming.emit('end'),
    finish: () => raw.emit('close'),
    hangUp: () => socket.emit('close'),
  };
}

describe('which requests are heavy', () => {
  it.each([
    [{}, false],
    [{ 'content-length': '1000' }, false],
    [{ 'content-length': '1001' }, true],
    [{ 'content-length': 'lots' }, true],
    [{ 'transfer-encoding': 'chunked' }, true],
  ])('%j is heavy: %s (limit 1000 bytes)', (headers, heavy) => {
    expect(isHeavy(headers, 1000)).toBe(heavy);
  });

  it.each([
    [20, 60, 0.25],
    [20, 20, 0.5],
    [20, 0, 1],
  ])('a slot held %i ms rests %i ms when large requests may have %s of the time', (held, rest, share) => {
    expect(restAfter(held, share)).toBeCloseTo(rest);
  });
});

describe('the heavy lane', () => {
  afterEach(() => vi.useRealTimers());

  it('lets ordinary requests through without a slot, however busy the lane', async () => {
    const lane = new HeavyLane(config({ VIGIL_HEAVY_QUEUE: 0 }));
    const big = exchange(5000);
    await lane.admit(big.request, big.reply);
    const small = exchange(500);
    await expect(lane.admit(small.request, small.reply)).resolves.toBeUndefined();
    expect(lane.state).toEqual({ inUse: 1, waiting: 0 });
  });

  it('queues large requests for the slot in order, and turns away those beyond the queue', async () => {
    let busy = 0;
    const lane = new HeavyLane(config({ VIGIL_HEAVY_QUEUE: 1 }), () => (busy += 1));
    const first = exchange(5000);
    await lane.admit(first.request, first.reply);
    const second = exchange(5000);
    const admitted: string[] = [];
    const waiting = lane.admit(second.request, second.reply).then(() => admitted.push('second'));
    const third = exchange(5000);
    await expect(lane.admit(third.request, third.reply)).rejects.toBeInstanceOf(BusyError);
    expect(busy).toBe(1);
    expect(lane.state).toEqual({ inUse: 1, waiting: 1 });
    first.finish();
    await waiting;
    expect(admitted).toEqual(['second']);
    second.finish();
    expect(lane.state).toEqual({ inUse: 0, waiting: 0 });
  });

  it('gives up on a request that waits longer than VIGIL_HEAVY_WAIT_MS', async () => {
    vi.useFakeTimers();
    const lane = new HeavyLane(config({ VIGIL_HEAVY_WAIT_MS: 500 }));
    const holder = exchange(5000);
    await lane.admit(holder.request, holder.reply);
    const late = exchange(5000);
    const outcome = lane.admit(late.request, late.reply).then(
      () => 'admitted',
      (err: unknown) => err,
    );
    await vi.advanceTimersByTimeAsync(499);
    expect(lane.state.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(BusyError);
    expect(lane.state).toEqual({ inUse: 1, waiting: 0 });
  });

  it('forgets a waiting request whose client hangs up', async () => {
    const lane = new HeavyLane(config());
    const holder = exchange(5000);
    await lane.admit(holder.request, holder.reply);
    const gone = exchange(5000);
    const outcome = lane.admit(gone.request, gone.reply).catch((err: unknown) => err);
    gone.hangUp();
    expect(await outcome).toBeInstanceOf(BusyError);
    expect(lane.state.waiting).toBe(0);
    holder.finish();
    expect(lane.state.inUse).toBe(0);
  });

  it('rests the slot after a large request in proportion to how long it was held', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const lane = new HeavyLane(config({ VIGIL_HEAVY_SHARE: 0.25 }));
    const first = exchange(5000);
    await lane.admit(first.request, first.reply);
    const second = exchange(5000);
    let admitted = false;
    const waiting = lane.admit(second.request, second.reply).then(() => (admitted = true));
    await vi.advanceTimersByTimeAsync(40); // held 40 ms: rests 120 ms
    first.finish();
    await vi.advanceTimersByTimeAsync(119);
    expect(admitted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(admitted).toBe(true);
  });
});

describe('the rest after a slow upload', () => {
  afterEach(() => vi.useRealTimers());

  it('counts from when the body was in, not from the grant: a client slow to send does not shut others out for longer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const lane = new HeavyLane(config({ VIGIL_HEAVY_SHARE: 0.25 }));
    const slow = exchange(5000);
    await lane.admit(slow.request, slow.reply);
    const next = exchange(5000);
    let admitted = false;
    const waiting = lane.admit(next.request, next.reply).then(() => (admitted = true));
    await vi.advanceTimersByTimeAsync(9000); // the body trickles in over 9 s
    slow.bodyIn();
    await vi.advanceTimersByTimeAsync(40); // then 40 ms of work: rests 120 ms, not 27 s
    slow.finish();
    await vi.advanceTimersByTimeAsync(119);
    expect(admitted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(admitted).toBe(true);
  });
});

describe('through the app', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('answers a large call 503 with Retry-After while the lane is full, and ordinary calls 200 meanwhile', async () => {
    app = await testApp({}, { VIGIL_HEAVY_BODY_BYTES: '16384', VIGIL_HEAVY_QUEUE: '0', VIGIL_HEAVY_SHARE: '1' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const call = criticalCall();
    const large = { ...call.body, padding: 'x'.repeat(20_000) };
    const largeText = JSON.stringify(large);
    // A client that sends a large call's headers and half its body, then stalls: it holds the slot.
    const stalled = connect(port, '127.0.0.1');
    stalled.on('error', () => undefined);
    let answer = '';
    stalled.setEncoding('utf8').on('data', (d: string) => (answer += d));
    stalled.write(
      `POST /cds-services/${call.service} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(largeText)}\r\n\r\n${largeText.slice(0, 16_000)}`,
    );
    const post = (body: object) => app!.inject({ method: 'POST', url: `/cds-services/${call.service}`, payload: body });
    // Once the stalled call holds the slot, every other large call is turned away at once.
    await expect.poll(async () => (await post(large)).statusCode, { timeout: 10_000 }).toBe(503);
    const refused = await post(large);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().issue[0].code).toBe('too-costly');
    expect((await post(call.body)).statusCode).toBe(200);
    // The stalled client finishes: its call is answered, and the slot is free again.
    stalled.write(largeText.slice(16_000));
    await expect.poll(() => answer, { timeout: 10_000 }).toMatch(/^HTTP\/1\.1 200 /);
    stalled.destroy();
    await expect.poll(async () => (await post(large)).statusCode, { timeout: 10_000 }).toBe(200);
  });
});
