// L2-penalised logistic regression on a hinged basis, fitted by Newton's method (IRLS). Each vital
// gets hinges at its reference ("normal") value and at its NEWS2 zero-band edges, with weights held
// non-negative: risk can only rise as a value moves away from normal, the further the steeper, like
// NEWS2 yet continuous. The explanation stays exactly additive. Deterministic: fixed iteration order,
// float64 throughout, no randomness.
import type { AdditiveExplanation, AdditiveTerm } from '../src/models/model-metadata.js';

export interface HingeSpec {
  side: 'below' | 'above';
  knot: number;
}

/** How one feature enters the model: a free linear term (binary features, age) and/or monotone hinges. */
export interface FeatureBasis {
  name: string;
  reference: number;
  linear: boolean;
  hinges: readonly HingeSpec[];
}

interface Column {
  feature: number;
  /** Index into the feature's hinges, or -1 for its linear term. */
  hinge: number;
  spec?: HingeSpec;
}

const relu = (v: number) => (v > 0 ? v : 0);

function columnsFor(basis: readonly FeatureBasis[]): Column[] {
  const columns: Column[] = [];
  basis.forEach((b, feature) => {
    if (b.linear) columns.push({ feature, hinge: -1 });
    b.hinges.forEach((spec, hinge) => columns.push({ feature, hinge, spec }));
  });
  return columns;
}

function columnValue(column: Column, x: number, reference: number): number {
  if (!column.spec) return x - reference;
  return relu(column.spec.side === 'below' ? column.spec.knot - x : x - column.spec.knot);
}

/** Solves A·x = b for symmetric positive-definite A (row-major, n×n) by Cholesky. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      if (i === j) {
        if (sum <= 0) throw new Error('Hessian not positive definite');
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / (l[j * n + j] ?? 1);
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] ?? 0) * (y[k] ?? 0);
    y[i] = sum / (l[i * n + i] ?? 1);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] ?? 0) * (x[k] ?? 0);
    x[i] = sum / (l[i * n + i] ?? 1);
  }
  return x;
}

export interface FitOptions {
  /** L2 penalty on the standardised coefficients (not the intercept). */
  lambda: number;
  maxIterations?: number;
}

/** Newton–Raphson on the penalised log-likelihood over the active columns (0 = intercept). */
function newton(x: Float64Array, n: number, p: number, labels: readonly boolean[], active: readonly number[], options: FitOptions): Float64Array {
  const q = active.length;
  const beta = new Float64Array(q);
  for (let iteration = 0; iteration < (options.maxIterations ?? 50); iteration++) {
    const gradient = new Float64Array(q);
    const hessian = new Float64Array(q * q);
    const row = new Float64Array(q);
    for (let r = 0; r < n; r++) {
      let z = 0;
      for (let j = 0; j < q; j++) {
        row[j] = x[r * p + (active[j] ?? 0)] ?? 0;
        z += (row[j] ?? 0) * (beta[j] ?? 0);
      }
      const mu = 1 / (1 + Math.exp(-z));
      const w = mu * (1 - mu);
      const residual = (labels[r] ? 1 : 0) - mu;
      for (let j = 0; j < q; j++) {
        const xj = row[j] ?? 0;
        gradient[j] = (gradient[j] ?? 0) + xj * residual;
        for (let k = 0; k <= j; k++) hessian[j * q + k] = (hessian[j * q + k] ?? 0) + w * xj * (row[k] ?? 0);
      }
    }
    for (let j = 0; j < q; j++) {
      for (let k = 0; k < j; k++) hessian[k * q + j] = hessian[j * q + k] ?? 0;
      if (active[j] !== 0) {
        gradient[j] = (gradient[j] ?? 0) - options.lambda * (beta[j] ?? 0);
        hessian[j * q + j] = (hessian[j * q + j] ?? 0) + options.lambda;
      }
    }
    const step = solveSpd(hessian, gradient, q);
    let largest = 0;
    for (let j = 0; j < q; j++) {
      beta[j] = (beta[j] ?? 0) + (step[j] ?? 0);
      largest = Math.max(largest, Math.abs(step[j] ?? 0));
    }
    if (largest < 1e-10) break;
  }
  return beta;
}

/**
 * Fits the model and returns its explanation in raw units: the same numbers the ONNX graph carries.
 * Columns are standardised for fitting (so one penalty suits every unit) and mapped back afterwards.
 * Hinge weights must be ≥ 0: a hinge that fits negative is dropped and the model refitted (active set),
 * so no explanation ever says an abnormal value "lowers risk" because of noise in the data.
 */
export function fitHingedLogistic(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  basis: readonly FeatureBasis[],
  options: FitOptions,
): AdditiveExplanation {
  const columns = columnsFor(basis);
  const p = columns.length + 1;
  const n = rows.length;
  const x = new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    const row = rows[r] ?? [];
    x[r * p] = 1;
    columns.forEach((c, j) => {
      x[r * p + j + 1] = columnValue(c, row[c.feature] ?? Number.NaN, basis[c.feature]?.reference ?? 0);
    });
  }
  // Standardise (intercept column untouched).
  const mean = new Float64Array(p);
  const sd = new Float64Array(p).fill(1);
  for (let j = 1; j < p; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s += x[r * p + j] ?? 0;
    const m = s / n;
    let v = 0;
    for (let r = 0; r < n; r++) v += ((x[r * p + j] ?? 0) - m) ** 2;
    const deviation = Math.sqrt(v / n);
    mean[j] = m;
    sd[j] = deviation > 1e-12 ? deviation : 1;
    for (let r = 0; r < n; r++) x[r * p + j] = ((x[r * p + j] ?? 0) - m) / (sd[j] ?? 1);
  }

  let active = Array.from({ length: p }, (_, j) => j);
  let beta = newton(x, n, p, labels, active, options);
  for (;;) {
    let worst = -1;
    let worstValue = 0;
    active.forEach((j, k) => {
      const value = beta[k] ?? 0;
      if (j > 0 && columns[j - 1]?.spec && value < worstValue) {
        worst = j;
        worstValue = value;
      }
    });
    if (worst < 0) break;
    active = active.filter((j) => j !== worst);
    beta = newton(x, n, p, labels, active, options);
  }
  const full = new Float64Array(p);
  active.forEach((j, k) => {
    full[j] = beta[k] ?? 0;
  });

  // Back to raw units; weights rounded to float32 because that is what the ONNX graph multiplies by.
  let intercept = full[0] ?? 0;
  const raw = columns.map((_, j) => {
    const b = (full[j + 1] ?? 0) / (sd[j + 1] ?? 1);
    intercept -= b * (mean[j + 1] ?? 0);
    return b;
  });
  const terms: AdditiveTerm[] = basis.map((b, i) => {
    const linearColumn = columns.findIndex((c) => c.feature === i && !c.spec);
    return {
      feature: b.name,
      linear: linearColumn < 0 ? 0 : Math.fround(raw[linearColumn] ?? 0),
      hinges: b.hinges.map((h, k) => {
        const j = columns.findIndex((c) => c.feature === i && c.hinge === k);
        return { side: h.side, knot: h.knot, weight: Math.fround(raw[j] ?? 0) };
      }),
    };
  });
  return { kind: 'hinged-logistic', intercept: Math.fround(intercept), terms };
}
