// Reading an answer from a server Vigil does not control (an EHR's FHIR server, an issuer's JWKS)
// without trusting its size: a declared length over the cap is refused unread, and a body that grows
// past it is abandoned mid-stream. Two shapes of answer: a WHATWG `Response` (global fetch: the JWKS,
// fetched rarely) and a Node stream (undici's `request`: the FHIR searches on the hot path).

/** The body was larger than the caller accepts; the stream was closed. */
export class ResponseTooLargeError extends Error {
  readonly code = 'VIGIL_RESPONSE_TOO_LARGE';
  constructor(readonly maxBytes: number) {
    super(`the answer exceeded ${maxBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/** Releases a response body we will not read, so the connection can be reused or closed. */
export async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

/**
 * Reads a body's chunks as UTF-8 text, stopping as soon as they pass `maxBytes` (or `signal`
 * aborts). Leaving the loop early ends the iteration, which closes a Node stream.
 */
export async function readCappedChunks(
  chunks: AsyncIterable<Uint8Array>,
  declaredLength: number,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<string> {
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) throw new ResponseTooLargeError(maxBytes);
  const kept: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    signal?.throwIfAborted();
    total += chunk.byteLength;
    if (total > maxBytes) throw new ResponseTooLargeError(maxBytes);
    kept.push(chunk);
  }
  signal?.throwIfAborted();
  return Buffer.concat(kept, total).toString('utf8');
}

/** Reads a fetch `Response`'s body as UTF-8 text, stopping (and closing the stream) as soon as it passes `maxBytes`. */
export async function readCapped(res: Response, maxBytes: number, signal?: AbortSignal): Promise<string> {
  if (res.body === null) return '';
  try {
    return await readCappedChunks(res.body, Number(res.headers.get('content-length') ?? NaN), maxBytes, signal);
  } catch (e) {
    // Refused before reading, or abandoned mid-stream: the stream is closed either way.
    await discard(res);
    throw e;
  }
}
