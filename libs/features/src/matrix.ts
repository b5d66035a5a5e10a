/** Row-major features of a batch; NaN = missing value. */
export interface FeatureMatrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

export function createMatrix(rows: number, cols: number): FeatureMatrix {
  return { data: new Float32Array(rows * cols), rows, cols };
}

/** Row i as a view into the matrix (no copy). */
export function featureRow(m: FeatureMatrix, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.rows)
    throw new RangeError(`row ${i} is outside 0..${m.rows - 1}`);
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}
