// Model files for the go-live tests: the shipped model rewritten under another version (or with
// another training-data word, or another intercept), a file that is not ONNX at all, and one that is
// ONNX but breaks the contract. Written with the trainer's own ONNX writer, so a variant is a real
// model that loads, passes its self-check and scores.
import { readFileSync } from 'node:fs';
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOnnx } from '../../training/onnx-writer.js';
import { SHIPPED_MODEL_PATH } from '../../src/models/create-scorer.js';
import type { ModelMetadata } from '../../src/models/model-metadata.js';
import { readModelMetadata } from '../../src/models/onnx-model.js';

export const SHIPPED_METADATA: ModelMetadata = readModelMetadata(readFileSync(SHIPPED_MODEL_PATH));
export const SHIPPED_VERSION = SHIPPED_METADATA.version;

export interface Variant {
  version: string;
  trainingData?: string;
  /** Added to the intercept: the same shape of model, scoring everyone higher or lower. */
  interceptShift?: number;
}

export function variantBytes(variant: Variant): Uint8Array {
  const explanation = SHIPPED_METADATA.explanation!;
  return writeOnnx({
    ...SHIPPED_METADATA,
    version: variant.version,
    ...(variant.trainingData !== undefined ? { trainingData: variant.trainingData } : {}),
    explanation: { ...explanation, intercept: explanation.intercept + (variant.interceptShift ?? 0) },
  });
}

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vigil-golive-'));
}

/**
 * Publishes bytes at `path` the safe way (a temporary file, then a rename), as a site should: a
 * reader sees the old file or the new one, never half of one.
 */
export async function publish(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, bytes);
  await rename(temporary, path);
}

export async function writeVariant(dir: string, name: string, variant: Variant): Promise<string> {
  const path = join(dir, name);
  await publish(path, variantBytes(variant));
  return path;
}

/** Not a model at all. */
export const NOT_ONNX = 'this is not an ONNX model, it is a sentence';

/** A readable ONNX model whose metadata names another feature contract: refused by the contract check. */
export function wrongContractBytes(): Uint8Array {
  return writeOnnx({ ...SHIPPED_METADATA, contract: 'someone-else.v9', version: '9.9.9', explanation: SHIPPED_METADATA.explanation! });
}
