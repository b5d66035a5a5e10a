/**
 * The path polynomial of path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2: EXTEND,
 * UNWIND, UNWOUND-SUM), on struct-of-arrays scratch space so neither the recursive explainer nor
 * the table builder allocates per path. A path of `depth + 1` elements lives at offset `at`.
 * The arithmetic follows XGBoost's src/tree/tree_model.cc line for line.
 */
export class PathScratch {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;

  constructor(slots: number) {
    this.feature = new Int32Array(slots);
    this.zero = new Float64Array(slots);
    this.one = new Float64Array(slots);
    this.weight = new Float64Array(slots);
  }

  /** Appends element `depth` (zero fraction, one fraction, feature) and updates the weights. */
  extend(at: number, depth: number, zero: number, one: number, feature: number): void {
    const { feature: pathFeature, zero: pathZero, one: pathOne, weight: pathWeight } = this;
    pathFeature[at + depth] = feature;
    pathZero[at + depth] = zero;
    pathOne[at + depth] = one;
    pathWeight[at + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      pathWeight[at + i + 1]! += (one * pathWeight[at + i]! * (i + 1)) / (depth + 1);
      pathWeight[at + i] = (zero * pathWeight[at + i]! * (depth - i)) / (depth + 1);
    }
  }

  /** Removes element `pathIndex` (a feature split on again further down) and restores the weights. */
  unwind(at: number, depth: number, pathIndex: number): void {
    const { feature: pathFeature, zero: pathZero, one: pathOne, weight: pathWeight } = this;
    const one = pathOne[at + pathIndex]!;
    const zero = pathZero[at + pathIndex]!;
    let nextOnePortion = pathWeight[at + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = pathWeight[at + i]!;
        pathWeight[at + i] = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
        nextOnePortion = tmp - (pathWeight[at + i]! * zero * (depth - i)) / (depth + 1);
      } else {
        pathWeight[at + i] = (pathWeight[at + i]! * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = pathIndex; i < depth; i++) {
      pathFeature[at + i] = pathFeature[at + i + 1]!;
      pathZero[at + i] = pathZero[at + i + 1]!;
      pathOne[at + i] = pathOne[at + i + 1]!;
    }
  }

  /** Total weight the path would have with element `pathIndex` unwound (its Shapley weight). */
  unwoundSum(at: number, depth: number, pathIndex: number): number {
    const { zero: pathZero, one: pathOne, weight: pathWeight } = this;
    const one = pathOne[at + pathIndex]!;
    const zero = pathZero[at + pathIndex]!;
    let nextOnePortion = pathWeight[at + depth]!;
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (nextOnePortion * (depth + 1)) / ((i + 1) * one);
        total += tmp;
        nextOnePortion = pathWeight[at + i]! - (tmp * zero * (depth - i)) / (depth + 1);
      } else {
        total += pathWeight[at + i]! / zero / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }
}
