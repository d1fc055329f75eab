// L2-penalised logistic regression on a hinged basis, fitted by Newton's method (IRLS) with
// step-halving. Each vital gets hinges at its reference ("normal") value and at the NEWS2 band edges on
// both sides of normal (training/feature-basis.ts), with weights held non-negative: risk can only rise
// as a value moves away from normal, the further the steeper, like NEWS2 yet continuous. The
// explanation stays exactly additive. Deterministic: fixed iteration order, float64, no randomness.
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

/**
 * The design matrix by rows, sparse: hinges are zero on most rows (a vital is rarely beyond a given
 * knot), so each row keeps only its non-zero columns (column 0, the intercept, is always there).
 */
interface SparseRows {
  /** Row r's entries are start[r] … start[r + 1] − 1 of column / value, columns ascending. */
  start: Int32Array;
  column: Int32Array;
  value: Float64Array;
}

/**
 * Newton–Raphson on the penalised log-likelihood over the active columns (ascending, 0 = intercept),
 * started from `from` (coefficients in the order of `active`; zeros when absent).
 */
function newton(
  rows: SparseRows,
  p: number,
  labels: readonly boolean[],
  active: readonly number[],
  options: FitOptions,
  from?: Float64Array,
): Float64Array {
  const q = active.length;
  const position = new Int32Array(p).fill(-1);
  active.forEach((j, k) => {
    position[j] = k;
  });
  let beta = from ? Float64Array.from(from) : new Float64Array(q);
  const n = labels.length;
  const at = new Int32Array(q);
  const xs = new Float64Array(q);
  // Plain Newton can overshoot and diverge; a step that lowers the penalised log-likelihood is halved
  // and retried from the last good point (step-halving), which always converges for this concave objective.
  let best = -Infinity;
  let bestBeta = beta;
  let step: Float64Array = new Float64Array(q);
  let scale = 1;
  for (let iteration = 0; iteration < (options.maxIterations ?? 100); iteration++) {
    const gradient = new Float64Array(q);
    const hessian = new Float64Array(q * q);
    let objective = 0;
    for (let r = 0; r < n; r++) {
      let m = 0;
      let z = 0;
      for (let e = rows.start[r] ?? 0; e < (rows.start[r + 1] ?? 0); e++) {
        const k = position[rows.column[e] ?? 0] ?? -1;
        if (k < 0) continue;
        const v = rows.value[e] ?? 0;
        at[m] = k;
        xs[m] = v;
        m++;
        z += v * (beta[k] ?? 0);
      }
      const mu = 1 / (1 + Math.exp(-z));
      // log-likelihood of this row, written to stay finite for large |z|
      objective += (labels[r] ? z : 0) - (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
      const w = mu * (1 - mu);
      const residual = (labels[r] ? 1 : 0) - mu;
      for (let a = 0; a < m; a++) {
        const j = at[a] ?? 0;
        const xj = xs[a] ?? 0;
        gradient[j] = (gradient[j] ?? 0) + xj * residual;
        const wx = w * xj;
        for (let b = 0; b <= a; b++) {
          const cell = j * q + (at[b] ?? 0);
          hessian[cell] = (hessian[cell] ?? 0) + wx * (xs[b] ?? 0);
        }
      }
    }
    for (let j = 0; j < q; j++) {
      if (active[j] !== 0) objective -= 0.5 * options.lambda * (beta[j] ?? 0) ** 2;
    }
    // (a tolerance, so rounding noise at the optimum is not mistaken for a worse point)
    if (objective < best - 1e-9 * (1 + Math.abs(best))) {
      scale /= 2;
      beta = bestBeta.map((b, j) => b + scale * (step[j] ?? 0));
      continue;
    }
    best = objective;
    bestBeta = beta;
    for (let j = 0; j < q; j++) {
      for (let k = 0; k < j; k++) hessian[k * q + j] = hessian[j * q + k] ?? 0;
      if (active[j] !== 0) {
        gradient[j] = (gradient[j] ?? 0) - options.lambda * (beta[j] ?? 0);
        hessian[j * q + j] = (hessian[j * q + j] ?? 0) + options.lambda;
      }
    }
    step = solveSpd(hessian, gradient, q);
    scale = 1;
    beta = bestBeta.map((b, j) => b + (step[j] ?? 0));
    if (step.reduce((largest, v) => Math.max(largest, Math.abs(v)), 0) < 1e-10) break;
  }
  return bestBeta;
}

/** A dropped hinge re-enters only if its gradient at 0 exceeds this per row (numerical noise does not count). */
const GRADIENT_TOLERANCE = 1e-7;

/** Gradient of the log-likelihood for every column (active or not) at the active columns' `beta`. */
function fullGradient(
  rows: SparseRows,
  p: number,
  labels: readonly boolean[],
  active: readonly number[],
  beta: Float64Array,
): Float64Array {
  const position = new Int32Array(p).fill(-1);
  active.forEach((j, k) => {
    position[j] = k;
  });
  const gradient = new Float64Array(p);
  for (let r = 0; r < labels.length; r++) {
    const from = rows.start[r] ?? 0;
    const to = rows.start[r + 1] ?? 0;
    let z = 0;
    for (let e = from; e < to; e++) {
      const k = position[rows.column[e] ?? 0] ?? -1;
      if (k >= 0) z += (rows.value[e] ?? 0) * (beta[k] ?? 0);
    }
    const residual = (labels[r] ? 1 : 0) - 1 / (1 + Math.exp(-z));
    for (let e = from; e < to; e++) {
      const j = rows.column[e] ?? 0;
      gradient[j] = (gradient[j] ?? 0) + (rows.value[e] ?? 0) * residual;
    }
  }
  return gradient;
}

/**
 * Fits the model and returns its explanation in raw units: the same numbers the ONNX graph carries.
 * Columns are scaled to unit standard deviation for fitting (so one penalty suits every unit) and mapped back.
 * Hinge weights must be ≥ 0 (an active-set method finds the best fit under that constraint), so no
 * explanation ever says an abnormal value "lowers risk" because of noise in the data.
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
  const values = rows.map((row) => columns.map((c) => columnValue(c, row[c.feature] ?? Number.NaN, basis[c.feature]?.reference ?? 0)));
  // Scale each column to unit standard deviation so one penalty suits every unit. Centring is not
  // needed: it would only move the (unpenalised) intercept, and skipping it keeps the rows sparse.
  const sd = new Float64Array(p).fill(1);
  columns.forEach((_, j) => {
    let sum = 0;
    let squares = 0;
    for (const row of values) {
      sum += row[j] ?? 0;
      squares += (row[j] ?? 0) ** 2;
    }
    const mean = sum / n;
    const deviation = Math.sqrt(Math.max(0, squares / n - mean * mean));
    sd[j + 1] = deviation > 1e-12 ? deviation : 1;
  });
  const entries = values.reduce((count, row) => count + 1 + row.filter((v) => v !== 0).length, 0);
  const sparse: SparseRows = { start: new Int32Array(n + 1), column: new Int32Array(entries), value: new Float64Array(entries) };
  let e = 0;
  values.forEach((row, r) => {
    sparse.start[r] = e;
    sparse.column[e] = 0;
    sparse.value[e++] = 1;
    row.forEach((v, j) => {
      if (v === 0) return;
      sparse.column[e] = j + 1;
      sparse.value[e++] = v / (sd[j + 1] ?? 1);
    });
  });
  sparse.start[n] = e;

  // Active set: drop the most negative hinge and refit; once none is negative, let back the dropped
  // hinge that most wants to rise (positive gradient at 0) and refit; stop when neither applies, which
  // is the constrained optimum (Karush–Kuhn–Tucker). Each refit starts where the last ended.
  const isHinge = (j: number) => j > 0 && columns[j - 1]?.spec !== undefined;
  let active = Array.from({ length: p }, (_, j) => j);
  let beta = newton(sparse, p, labels, active, options);
  for (let round = 0; round < 4 * p; round++) {
    let worst = -1;
    let worstValue = 0;
    active.forEach((j, k) => {
      const value = beta[k] ?? 0;
      if (isHinge(j) && value < worstValue) {
        worst = j;
        worstValue = value;
      }
    });
    let next: number[];
    if (worst >= 0) {
      next = active.filter((j) => j !== worst);
    } else {
      const gradient = fullGradient(sparse, p, labels, active, beta);
      let entering = -1;
      let steepest = GRADIENT_TOLERANCE * n;
      for (let j = 1; j < p; j++) {
        if (isHinge(j) && !active.includes(j) && (gradient[j] ?? 0) > steepest) {
          entering = j;
          steepest = gradient[j] ?? 0;
        }
      }
      if (entering < 0) break;
      next = [...active, entering].sort((a, b) => a - b);
    }
    const from = Float64Array.from(next, (j) => {
      const k = active.indexOf(j);
      return k < 0 ? 0 : (beta[k] ?? 0);
    });
    active = next;
    beta = newton(sparse, p, labels, active, options, from);
  }
  const full = new Float64Array(p);
  active.forEach((j, k) => {
    full[j] = beta[k] ?? 0;
  });

  // Back to raw units; weights rounded to float32 because that is what the ONNX graph multiplies by.
  const intercept = full[0] ?? 0;
  const raw = columns.map((_, j) => (full[j + 1] ?? 0) / (sd[j + 1] ?? 1));
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
