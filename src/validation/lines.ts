// Reads a text file line by line as a stream, gzip or not, so an export of any size is never held in
// memory whole. Gzip is recognised by its magic bytes, not the file name: `$export` servers and
// people rename files, and a wrong guess either way would read garbage.
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** Every line of a file (gunzipped when it is gzip), without its line ending; a leading BOM is dropped. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const raw = createReadStream(path);
  const input: Readable = (await isGzip(path)) ? raw.pipe(createGunzip()) : raw;
  // readline does not see errors of the stream it reads: surface a corrupt gzip instead of ending early.
  let failure: unknown;
  input.on('error', (error) => {
    failure = error;
    input.destroy();
  });
  raw.on('error', (error) => input.emit('error', error));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let first = true;
  for await (const line of lines) {
    yield first && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
    first = false;
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('the file could not be read');
}

/** Files an export argument names: the file itself, or the .ndjson / .ndjson.gz / .jsonl files of a directory. */
export async function exportFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => /\.(ndjson|jsonl)(\.gz)?$/i.test(n)).sort();
  return names.map((n) => join(path, n));
}
