// Reading an answer from a server Vigil does not control (an EHR's FHIR server, an issuer's JWKS)
// without trusting its size: a declared length over the cap is refused unread, and a body that grows
// past it is abandoned mid-stream.

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

/** Reads a body as UTF-8 text, stopping (and closing the stream) as soon as it passes `maxBytes`. */
export async function readCapped(res: Response, maxBytes: number, signal?: AbortSignal): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discard(res);
    throw new ResponseTooLargeError(maxBytes);
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    signal?.throwIfAborted();
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ResponseTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
