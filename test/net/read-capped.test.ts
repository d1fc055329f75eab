// Reading an answer Vigil does not control without trusting its size: a fetch Response (the JWKS)
// and a Node stream's chunks (the FHIR searches) through the same capped reader.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCapped, readCappedChunks, ResponseTooLargeError } from '../../src/net/read-capped.js';

/** A body of `chunks` chunks of `size` bytes, counting what was pulled and whether it was cancelled. */
function countedStream(chunks: number, size: number) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled === chunks) return controller.close();
      seen.pulled += 1;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

describe('a fetch Response read with a cap', () => {
  it('reads a body under the cap as UTF-8 text', async () => {
    expect(await readCapped(new Response('{"keys":["é"]}'), 100)).toBe('{"keys":["é"]}');
  });

  it('abandons a body that grows past the cap, and closes it', async () => {
    const { stream, seen } = countedStream(1000, 1024);
    await expect(readCapped(new Response(stream), 4 * 1024)).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(seen.pulled).toBeLessThan(10);
    expect(seen.cancelled).toBe(true);
  });

  it('refuses a declared length over the cap before reading, and closes the body', async () => {
    const { stream, seen } = countedStream(1000, 1024);
    const res = new Response(stream, { headers: { 'content-length': String(1000 * 1024) } });
    await expect(readCapped(res, 4 * 1024)).rejects.toBeInstanceOf(ResponseTooLargeError);
    // At most the one chunk a ReadableStream pulls on its own when made; reading would pull five.
    expect(seen.pulled).toBeLessThanOrEqual(1);
    expect(seen.cancelled).toBe(true);
  });
});

describe("a Node stream's chunks read with a cap", () => {
  it('reads chunks split inside a multi-byte character', async () => {
    const bytes = Buffer.from('{"t":"38.6 °C"}');
    const split = bytes.indexOf(0xb0); // the second byte of "°"
    const text = await readCappedChunks(Readable.from([bytes.subarray(0, split), bytes.subarray(split)]), NaN, 100);
    expect(text).toBe('{"t":"38.6 °C"}');
  });

  it('stops at the cap and ends the stream', async () => {
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 1000; i++) yield Buffer.alloc(1024, 0x61);
      })(),
    );
    await expect(readCappedChunks(source, NaN, 4 * 1024)).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(source.destroyed).toBe(true);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const source = new Readable({ read() {} });
    source.push(Buffer.from('{"a":'));
    const reading = readCappedChunks(source, NaN, 1024, controller.signal);
    controller.abort(new Error('deadline'));
    source.push(Buffer.from('1}'));
    await expect(reading).rejects.toThrow('deadline');
  });
});
