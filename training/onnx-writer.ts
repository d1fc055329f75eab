// Writes a hinged logistic model as a plain ONNX graph (Sub, Relu, MatMul, Add, Sigmoid; opset 13)
// with its metadata_props, using onnx-proto's protobuf definitions: no Python, byte-identical output
// for identical input. Graph: p = sigmoid(b + (x − ref)·wLin + relu(x·S − c)·wHinge), where column j
// of S picks hinge j's feature with sign −1 ("below") or +1 ("above") and c_j = sign_j·knot_j.
import onnxProto from 'onnx-proto';
import { FEATURE_COUNT, INPUT_NAME, OUTPUT_NAME } from '../src/models/feature-contract.js';
import { toMetadataProps, type AdditiveExplanation, type ModelMetadata } from '../src/models/model-metadata.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

function tensor(name: string, dims: number[], values: readonly number[]): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: values.map((v) => Math.fround(v)) };
}

function valueInfo(name: string, columns: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: columns }] } } },
  };
}

function node(opType: string, inputs: string[], output: string): onnxProto.onnx.INodeProto {
  return { opType, input: inputs, output: [output], name: output };
}

export function writeOnnx(meta: ModelMetadata & { explanation: AdditiveExplanation }): Uint8Array {
  const { terms, intercept } = meta.explanation;
  const references = meta.features.map((f) => f.reference);
  const hinges = terms.flatMap((t, feature) => t.hinges.map((h) => ({ ...h, feature, sign: h.side === 'below' ? -1 : 1 })));
  const selector = new Array<number>(FEATURE_COUNT * hinges.length).fill(0);
  hinges.forEach((h, j) => {
    selector[h.feature * hinges.length + j] = h.sign;
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'vigil-train',
    producerVersion: meta.version,
    domain: 'org.vigil',
    docString: `${meta.name} ${meta.version}: hinged L2 logistic regression trained on ${meta.trainingData ?? 'unstated'} data.`,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: meta.name,
      input: [valueInfo(INPUT_NAME, FEATURE_COUNT)],
      output: [valueInfo(OUTPUT_NAME, 1)],
      initializer: [
        tensor('reference', [FEATURE_COUNT], references),
        tensor(
          'w_linear',
          [FEATURE_COUNT, 1],
          terms.map((t) => t.linear),
        ),
        tensor('hinge_selector', [FEATURE_COUNT, hinges.length], selector),
        tensor(
          'hinge_offset',
          [hinges.length],
          hinges.map((h) => h.sign * h.knot),
        ),
        tensor(
          'w_hinge',
          [hinges.length, 1],
          hinges.map((h) => h.weight),
        ),
        tensor('intercept', [1], [intercept]),
      ],
      node: [
        node('Sub', [INPUT_NAME, 'reference'], 'centred'),
        node('MatMul', ['centred', 'w_linear'], 'logit_linear'),
        node('MatMul', [INPUT_NAME, 'hinge_selector'], 'signed_values'),
        node('Sub', ['signed_values', 'hinge_offset'], 'beyond_knot'),
        node('Relu', ['beyond_knot'], 'hinge'),
        node('MatMul', ['hinge', 'w_hinge'], 'logit_hinge'),
        node('Add', ['logit_linear', 'logit_hinge'], 'logit_terms'),
        node('Add', ['logit_terms', 'intercept'], 'logit'),
        node('Sigmoid', ['logit'], OUTPUT_NAME),
      ],
    },
    metadataProps: toMetadataProps(meta),
  });
  return onnx.ModelProto.encode(model).finish();
}
