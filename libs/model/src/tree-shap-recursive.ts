import { PathScratch } from './tree-shap-path.ts';
import { nextNode, type FlatTree } from './tree-shap-model.ts';

/**
 * Exact path-dependent TreeSHAP by recursion over the tree for every row (Algorithm 2's RECURSE,
 * as XGBoost implements it): O(leaves x depth^2) per tree and row. The table explainer
 * (tree-shap-tables.ts) replaces it for trees of ordinary depth; this one remains for trees too
 * deep to tabulate. Not re-entrant: the path scratch is shared (it never awaits).
 */
export class RecursiveTreeShap {
  private readonly path: PathScratch;

  constructor(maxDepth: number) {
    // Level d's path starts 1 + 2 + ... + (d + 1) slots in and holds d + 1 elements.
    this.path = new PathScratch(((maxDepth + 3) * (maxDepth + 4)) / 2);
  }

  /**
   * Adds the tree's contributions for the row at `data[offset ..]` to `phi` (one slot per
   * feature; the bias is not touched).
   */
  accumulate(tree: FlatTree, data: ArrayLike<number>, offset: number, phi: Float64Array): void {
    if (tree.left[0] === -1) return; // a single leaf only shifts the bias
    this.recurse(tree, data, offset, phi, 0, 0, 0, 1, 1, -1);
  }

  /** A call's path lives at `at` and holds `depth + 1` elements; a child's is copied to `at + depth + 1`. */
  private recurse(
    tree: FlatTree,
    data: ArrayLike<number>,
    offset: number,
    phi: Float64Array,
    node: number,
    parentAt: number,
    depth: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const path = this.path;
    const { feature: pathFeature, zero: pathZero, one: pathOne, weight: pathWeight } = path;
    const at = parentAt + depth + 1;
    for (let i = 0; i < depth; i++) {
      pathFeature[at + i] = pathFeature[parentAt + i]!;
      pathZero[at + i] = pathZero[parentAt + i]!;
      pathOne[at + i] = pathOne[parentAt + i]!;
      pathWeight[at + i] = pathWeight[parentAt + i]!;
    }
    path.extend(at, depth, zeroFraction, oneFraction, featureIndex);

    if (tree.left[node] === -1) {
      const leaf = tree.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = path.unwoundSum(at, depth, i);
        phi[pathFeature[at + i]!]! += w * (pathOne[at + i]! - pathZero[at + i]!) * leaf;
      }
      return;
    }

    const split = tree.feature[node]!;
    const hot = nextNode(tree, node, data, offset);
    const cold = hot === tree.left[node] ? tree.right[node]! : tree.left[node]!;
    const cover = tree.cover[node]!;
    const hotZero = tree.cover[hot]! / cover;
    const coldZero = tree.cover[cold]! / cover;
    let incomingZero = 1;
    let incomingOne = 1;
    let uniqueDepth = depth;
    // A feature already on the path: undo its earlier split and merge the fractions.
    let pathIndex = 0;
    while (pathIndex <= uniqueDepth && pathFeature[at + pathIndex] !== split) pathIndex++;
    if (pathIndex <= uniqueDepth) {
      incomingZero = pathZero[at + pathIndex]!;
      incomingOne = pathOne[at + pathIndex]!;
      path.unwind(at, uniqueDepth, pathIndex);
      uniqueDepth -= 1;
    }
    this.recurse(
      tree,
      data,
      offset,
      phi,
      hot,
      at,
      uniqueDepth + 1,
      hotZero * incomingZero,
      incomingOne,
      split,
    );
    this.recurse(tree, data, offset, phi, cold, at, uniqueDepth + 1, coldZero * incomingZero, 0, split);
  }
}
