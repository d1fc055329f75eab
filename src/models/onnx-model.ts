// Loads a contract ONNX model once: reads its metadata (onnx-proto; onnxruntime does not expose it),
// checks it against the feature contract, creates one single-threaded session and proves, on fixed
// probe vectors, that the graph computes what its metadata's explanation says. I/O lives here only.
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { explanationLogit, sigmoid } from './contributions.js';
import { FEATURE_COUNT, INPUT_NAME, MODEL_FEATURES, OUTPUT_NAME } from './feature-contract.js';
import { ModelContractError, parseMetadataProps, type ModelMetadata } from './model-metadata.js';

/** One inference: a contract feature vector in, the probability out. Injectable so tests can fault it. */
export type InferFn = (features: Float32Array) => Promise<number>;

export type ModelLoadErrorCode = 'VIGIL_MODEL_MISSING' | 'VIGIL_MODEL_CORRUPT' | 'VIGIL_MODEL_CONTRACT_MISMATCH';

export class ModelLoadError extends Error {
  readonly code: ModelLoadErrorCode;
  constructor(code: ModelLoadErrorCode, message: string) {
    super(message);
    this.name = 'ModelLoadError';
    this.code = code;
  }
}

export interface LoadedModel {
  metadata: ModelMetadata;
  /** Reference values in contract order (from the metadata). */
  references: number[];
  /** Logit at the reference values, from the model itself. */
  baselineLogOdds: number;
  infer: InferFn;
  release(): Promise<void>;
}

// A tiny model runs in microseconds (~11 µs median: npm run bench:model, README "Performance"): one
// thread each way keeps onnxruntime from handing that arithmetic to a thread pool, whose hand-offs
// cost more than the arithmetic itself.
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** Probe vectors (contract order) for the load-time self-check: a well and a very unwell adult, and extremes. */
const PROBES: readonly number[][] = [
  [30, 88, 1, 85, 130, 1, 39.5, 85],
  [8, 99, 0, 230, 40, 0, 34.8, 30],
  MODEL_FEATURES.map((f) => f.min),
  MODEL_FEATURES.map((f) => f.max),
];
/** Float32 graph vs float64 metadata: agreement to this (in probability) or the explanation is not the model's. */
const SELF_CHECK_TOLERANCE = 1e-4;

/** Reads and validates a model file's metadata without creating a session. */
export function readModelMetadata(bytes: Uint8Array): ModelMetadata {
  let decoded: onnxProto.onnx.ModelProto;
  try {
    decoded = onnxProto.onnx.ModelProto.decode(bytes);
  } catch {
    throw new ModelLoadError('VIGIL_MODEL_CORRUPT', 'the model file is not a readable ONNX model');
  }
  if (!decoded.graph) throw new ModelLoadError('VIGIL_MODEL_CORRUPT', 'the model file has no graph');
  try {
    return parseMetadataProps(decoded.metadataProps ?? []);
  } catch (error) {
    if (error instanceof ModelContractError) throw new ModelLoadError('VIGIL_MODEL_CONTRACT_MISMATCH', error.message);
    throw error;
  }
}

function sessionInfer(session: ort.InferenceSession): InferFn {
  return async (features) => {
    const input = new ort.Tensor('float32', features, [1, FEATURE_COUNT]);
    const output = await session.run({ [INPUT_NAME]: input });
    const value = output[OUTPUT_NAME]?.data[0];
    return typeof value === 'number' ? value : Number.NaN;
  };
}

export async function loadOnnxModel(path: string): Promise<LoadedModel> {
  return loadOnnxModelBytes(await readModelFile(path));
}

export async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    // The errno tells a missing file (ENOENT) from one Vigil may not read (EACCES) or a directory (EISDIR).
    const errno = (error as { code?: unknown }).code;
    const code = typeof errno === 'string' && /^E[A-Z]+$/.test(errno) ? errno : 'unknown error';
    throw new ModelLoadError('VIGIL_MODEL_MISSING', `the model file could not be read (${code})`);
  }
}

/** Loads a model already read (a reload reads the file once: to load it, and to know whether it changed). */
export async function loadOnnxModelBytes(bytes: Uint8Array): Promise<LoadedModel> {
  const metadata = readModelMetadata(bytes);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, SESSION_OPTIONS);
  } catch {
    throw new ModelLoadError('VIGIL_MODEL_CORRUPT', 'onnxruntime could not create a session from the model');
  }
  const release = () => session.release();
  try {
    if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
      throw new ModelLoadError(
        'VIGIL_MODEL_CONTRACT_MISMATCH',
        `the model must take "${INPUT_NAME}" and give "${OUTPUT_NAME}"`,
      );
    }
    const references = metadata.features.map((f) => f.reference);
    const infer = sessionInfer(session);
    const atReference = await runChecked(infer, references);
    for (const probe of PROBES) {
      const p = await runChecked(infer, probe);
      if (metadata.explanation) {
        const expected = sigmoid(explanationLogit(metadata.explanation, references, probe));
        if (Math.abs(expected - p) > SELF_CHECK_TOLERANCE) {
          throw new ModelLoadError('VIGIL_MODEL_CONTRACT_MISMATCH', 'the explanation in the metadata does not reproduce the model');
        }
      }
    }
    return {
      metadata,
      references,
      baselineLogOdds: Math.log(atReference / (1 - atReference)),
      infer,
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}

async function runChecked(infer: InferFn, vector: readonly number[]): Promise<number> {
  let p: number;
  try {
    p = await infer(Float32Array.from(vector));
  } catch {
    throw new ModelLoadError('VIGIL_MODEL_CONTRACT_MISMATCH', `the model does not run on a [1, ${FEATURE_COUNT}] "${INPUT_NAME}" tensor`);
  }
  if (!Number.isFinite(p) || p < 0 || p > 1) {
    throw new ModelLoadError('VIGIL_MODEL_CONTRACT_MISMATCH', 'the model gives something other than a probability');
  }
  return p;
}
