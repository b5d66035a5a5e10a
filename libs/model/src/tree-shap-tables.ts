import { PathScratch } from './tree-shap-path.ts';
import type { FlatTree } from './tree-shap-model.ts';

/**
 * Exact path-dependent TreeSHAP from tables built at model load (the idea of Fast TreeSHAP v2,
 * Yang 2021, taken one step further). On the path from the root to a leaf, a row's Shapley
 * weights depend only on which of the path's u distinct split features the row "agrees with"
 * (follows the path on every split of that feature): the zero fractions (cover ratios) are fixed
 * by the tree. So the contributions can be computed once per leaf and agree/disagree pattern, with
 * the same EXTEND / UNWOUND-SUM arithmetic XGBoost uses.
 *
 * To do less per row, the bottom of each tree is cut into blocks: subtrees of height <= `blockHeight`.
 * A block's table holds, for every disagreement mask at the block root (2^u for the u distinct
 * features above it) and every combination of its own split decisions (2^n for n inner nodes),
 * the summed contributions of all its leaves over the features their paths use. Explaining a row
 * is then one pass over the inner nodes above the blocks (parents before children), carrying the
 * disagreement mask down, and per block n comparisons plus one add per feature: no recursion, no
 * path copies, no allocation.
 *
 * Table size is sum over blocks of 2^(u+n) x features doubles, so only trees whose paths have at
 * most `maxUnique` distinct features are tabulated (the caller explains the others by recursion).
 */
export class TreeShapTables {
  /** Number of nodes over all tabulated trees; node ids are global (tree offset + local id). */
  readonly nodeCount: number;
  // Inner nodes above the blocks, parents before children.
  /** Global node id (index into `mask`). */
  private readonly upperNode: Int32Array;
  private readonly upperFeature: Int32Array;
  private readonly upperThreshold: Float32Array;
  /** 1 = NaN goes right (not default_left). */
  private readonly upperNanRight: Int32Array;
  /** Global node ids of the children. */
  private readonly upperLeft: Int32Array;
  private readonly upperRight: Int32Array;
  /** 1 << (position of the node's split feature among its path's distinct features). */
  private readonly upperColdBit: Int32Array;
  // Blocks.
  /** Global node id of the block root (index into `mask`). */
  private readonly blockRoot: Int32Array;
  /** Offset of the block's inner nodes in the blockNode* arrays; n = blockInnerCount. */
  private readonly blockNodeAt: Int32Array;
  private readonly blockInnerCount: Int32Array;
  /** Offset of the block's contributions in `table`: (mask << n | decisions) * width + k. */
  private readonly blockTable: Int32Array;
  /** Number of features the block's leaves contribute to. */
  private readonly blockWidth: Int32Array;
  /** Offset of those feature indices in `blockFeatures`. */
  private readonly blockFeatureAt: Int32Array;
  private readonly blockFeatures: Int32Array;
  private readonly blockNodeFeature: Int32Array;
  private readonly blockNodeThreshold: Float32Array;
  /** 1 = NaN goes right (not default_left). */
  private readonly blockNodeNanRight: Int32Array;
  private readonly table: Float64Array;
  /**
   * Per-node disagreement mask of the row being explained (bit k set = the row leaves the path on
   * the k-th distinct feature). Roots are never written, so they stay 0.
   */
  private readonly mask: Int32Array;

  constructor(trees: readonly FlatTree[], maxUnique: number, blockHeight = 2) {
    const upper = {
      node: [] as number[],
      feature: [] as number[],
      threshold: [] as number[],
      defaultLeft: [] as number[],
      left: [] as number[],
      right: [] as number[],
      coldBit: [] as number[],
    };
    const block = {
      root: [] as number[],
      nodeAt: [] as number[],
      innerCount: [] as number[],
      table: [] as number[],
      width: [] as number[],
      featureAt: [] as number[],
      features: [] as number[],
      nodeFeature: [] as number[],
      nodeThreshold: [] as number[],
      nodeDefaultLeft: [] as number[],
    };
    const tableValues: number[] = [];
    const path = new PathScratch(maxUnique + 1);
    let offset = 0;
    for (const tree of trees) {
      const height = subtreeHeights(tree);
      const addBlock = (root: number, features: number[], zeros: number[]): void => {
        // The block's inner nodes in preorder; decision bit j = 1 when the row goes right at node j.
        const inner: number[] = [];
        const collect = (node: number): void => {
          if (tree.left[node] === -1) return;
          inner.push(node);
          collect(tree.left[node]!);
          collect(tree.right[node]!);
        };
        collect(root);
        const bitOf = new Map(inner.map((node, j) => [node, j]));
        // Every leaf's path features: the prefix's, then the block's new ones.
        const union = [...features];
        for (const node of inner) if (!union.includes(tree.feature[node]!)) union.push(tree.feature[node]!);
        const column = new Map(union.map((f, k) => [f, k]));
        if (features.length + inner.length > 24) {
          throw new Error(`a block needs 2^${features.length + inner.length} table rows`);
        }
        const u = features.length;
        const n = inner.length;
        const sums = new Float64Array(union.length);
        block.root.push(offset + root);
        block.nodeAt.push(block.nodeFeature.length);
        block.innerCount.push(n);
        block.table.push(tableValues.length);
        block.width.push(union.length);
        block.featureAt.push(block.features.length);
        block.features.push(...union);
        for (const node of inner) {
          block.nodeFeature.push(tree.feature[node]!);
          block.nodeThreshold.push(tree.threshold[node]!);
          block.nodeDefaultLeft.push(tree.defaultLeft[node]!);
        }
        // Each leaf's contributions depend only on which of its path features the row disagrees
        // with: tabulate them per leaf once (2^d rows of d), then a block row is a sum of one row
        // per leaf, picked by the root mask and the decisions on that leaf's path.
        interface LeafInfo {
          features: number[];
          /** Per path node inside the block: its decision bit, the direction taken, the feature's position. */
          conditions: { bit: number; right: number; position: number }[];
          table: Float64Array;
        }
        const leaves: LeafInfo[] = [];
        const gather = (
          node: number,
          pathFeatures: number[],
          pathZeros: number[],
          conditions: LeafInfo['conditions'],
        ): void => {
          if (tree.left[node] === -1) {
            const d = pathFeatures.length;
            const table = new Float64Array((1 << d) * d);
            const leaf = tree.value[node]!;
            for (let m = 0; m < 1 << d; m++) {
              // The bias element first, then the distinct features, as XGBoost's RECURSE builds it.
              path.extend(0, 0, 1, 1, -1);
              for (let k = 0; k < d; k++) {
                path.extend(0, k + 1, pathZeros[k]!, (m >> k) & 1 ? 0 : 1, pathFeatures[k]!);
              }
              for (let k = 0; k < d; k++) {
                const one = (m >> k) & 1 ? 0 : 1;
                table[m * d + k] = path.unwoundSum(0, d, k + 1) * (one - pathZeros[k]!) * leaf;
              }
            }
            leaves.push({ features: pathFeatures, conditions, table });
            return;
          }
          const split = tree.feature[node]!;
          let position = pathFeatures.indexOf(split);
          const nextFeatures = position === -1 ? [...pathFeatures, split] : pathFeatures;
          if (position === -1) position = pathFeatures.length;
          const bit = bitOf.get(node)!;
          for (const [child, right] of [
            [tree.left[node]!, 0],
            [tree.right[node]!, 1],
          ] as const) {
            const zerosNext = [...pathZeros];
            zerosNext[position] = (zerosNext[position] ?? 1) * (tree.cover[child]! / tree.cover[node]!);
            gather(child, nextFeatures, zerosNext, [...conditions, { bit, right, position }]);
          }
        };
        gather(root, features, zeros, []);
        const columns = leaves.map((l) => Int32Array.from(l.features, (f) => column.get(f)!));
        for (let mask = 0; mask < 1 << u; mask++) {
          for (let decisions = 0; decisions < 1 << n; decisions++) {
            sums.fill(0);
            leaves.forEach((leaf, i) => {
              let m = mask;
              for (const c of leaf.conditions) {
                if (((decisions >> c.bit) & 1) !== c.right) m |= 1 << c.position;
              }
              const d = leaf.features.length;
              const cols = columns[i]!;
              for (let k = 0; k < d; k++) sums[cols[k]!]! += leaf.table[m * d + k]!;
            });
            for (const v of sums) tableValues.push(v);
          }
        }
      };
      // Depth-first from the root: upper nodes come out parents before children.
      const visit = (node: number, features: number[], zeros: number[]): void => {
        if (features.length > maxUnique) {
          throw new Error(`a path has ${features.length} distinct features, the limit is ${maxUnique}`);
        }
        if (height[node]! <= blockHeight) {
          addBlock(node, features, zeros);
          return;
        }
        const l = tree.left[node]!;
        const r = tree.right[node]!;
        const split = tree.feature[node]!;
        let position = features.indexOf(split);
        const nextFeatures = position === -1 ? [...features, split] : features;
        if (position === -1) position = features.length;
        upper.node.push(offset + node);
        upper.feature.push(split);
        upper.threshold.push(tree.threshold[node]!);
        upper.defaultLeft.push(tree.defaultLeft[node]!);
        upper.left.push(offset + l);
        upper.right.push(offset + r);
        upper.coldBit.push(1 << position);
        for (const child of [l, r]) {
          const zeroFractions = [...zeros];
          zeroFractions[position] = (zeroFractions[position] ?? 1) * (tree.cover[child]! / tree.cover[node]!);
          visit(child, nextFeatures, zeroFractions);
        }
      };
      visit(0, [], []);
      offset += tree.left.length;
    }
    this.nodeCount = offset;
    this.upperNode = Int32Array.from(upper.node);
    this.upperFeature = Int32Array.from(upper.feature);
    this.upperThreshold = Float32Array.from(upper.threshold);
    this.upperNanRight = Int32Array.from(upper.defaultLeft, (d) => 1 - d);
    this.upperLeft = Int32Array.from(upper.left);
    this.upperRight = Int32Array.from(upper.right);
    this.upperColdBit = Int32Array.from(upper.coldBit);
    this.blockRoot = Int32Array.from(block.root);
    this.blockNodeAt = Int32Array.from(block.nodeAt);
    this.blockInnerCount = Int32Array.from(block.innerCount);
    this.blockTable = Int32Array.from(block.table);
    this.blockWidth = Int32Array.from(block.width);
    this.blockFeatureAt = Int32Array.from(block.featureAt);
    this.blockFeatures = Int32Array.from(block.features);
    this.blockNodeFeature = Int32Array.from(block.nodeFeature);
    this.blockNodeThreshold = Float32Array.from(block.nodeThreshold);
    this.blockNodeNanRight = Int32Array.from(block.nodeDefaultLeft, (d) => 1 - d);
    this.table = Float64Array.from(tableValues);
    this.mask = new Int32Array(offset);
  }

  /** Number of precomputed contributions (8 bytes each). */
  get tableSize(): number {
    return this.table.length;
  }

  /** Number of blocks (subtrees explained by one table lookup each). */
  get blockCount(): number {
    return this.blockRoot.length;
  }

  /**
   * Adds the tabulated trees' contributions for the float32 row at `data[offset .. offset + cols)`
   * to `phi[0 .. cols)`. NaN = missing (follows default_left), as in XGBoost.
   */
  accumulate(data: Float32Array, offset: number, phi: Float64Array): void {
    // Split decisions without branches (1 = right), which random rows would mispredict half the
    // time: x >= threshold on float32 values, or NaN (x !== x, every comparison false) when the
    // node sends missing values right. Several times faster than a conditional here.
    const mask = this.mask;
    const { upperNode, upperFeature, upperThreshold, upperNanRight, upperLeft, upperRight } = this;
    const upperColdBit = this.upperColdBit;
    const upperCount = upperNode.length;
    for (let i = 0; i < upperCount; i++) {
      const x = data[offset + upperFeature[i]!]!;
      const right = Number(x >= upperThreshold[i]!) | (upperNanRight[i]! & Number(x !== x));
      const parent = mask[upperNode[i]!]!;
      const bit = upperColdBit[i]!;
      // The child the row does not take gets the cold bit.
      mask[upperLeft[i]!] = parent | (bit & -right);
      mask[upperRight[i]!] = parent | (bit & (right - 1));
    }
    const { table, blockRoot, blockNodeAt, blockInnerCount, blockTable, blockWidth } = this;
    const { blockFeatureAt, blockFeatures, blockNodeFeature, blockNodeThreshold, blockNodeNanRight } = this;
    const blocks = blockRoot.length;
    for (let b = 0; b < blocks; b++) {
      const at = blockNodeAt[b]!;
      const n = blockInnerCount[b]!;
      let decisions = 0;
      for (let j = 0; j < n; j++) {
        const x = data[offset + blockNodeFeature[at + j]!]!;
        decisions |=
          (Number(x >= blockNodeThreshold[at + j]!) | (blockNodeNanRight[at + j]! & Number(x !== x))) << j;
      }
      const width = blockWidth[b]!;
      const base = blockTable[b]! + ((mask[blockRoot[b]!]! << n) | decisions) * width;
      const features = blockFeatureAt[b]!;
      for (let k = 0; k < width; k++) phi[blockFeatures[features + k]!]! += table[base + k]!;
    }
  }
}

/**
 * The table size (doubles) TreeShapTables would build with this block height, without building
 * it: sum over blocks of 2^(u + n) x the features the block's leaves contribute to.
 */
export function estimateTableSize(trees: readonly FlatTree[], blockHeight: number): number {
  let total = 0;
  for (const tree of trees) {
    const height = subtreeHeights(tree);
    const visit = (node: number, features: readonly number[]): void => {
      if (height[node]! <= blockHeight) {
        const union = new Set(features);
        let inner = 0;
        const stack = [node];
        while (stack.length > 0) {
          const at = stack.pop()!;
          if (tree.left[at] === -1) continue;
          inner++;
          union.add(tree.feature[at]!);
          stack.push(tree.left[at]!, tree.right[at]!);
        }
        total += 2 ** (features.length + inner) * union.size;
        return;
      }
      const split = tree.feature[node]!;
      const next = features.includes(split) ? features : [...features, split];
      visit(tree.left[node]!, next);
      visit(tree.right[node]!, next);
    };
    visit(0, []);
  }
  return total;
}

/** Height of every node's subtree (a leaf is 0). Children have larger indices than parents. */
function subtreeHeights(tree: FlatTree): Int32Array {
  const n = tree.left.length;
  const height = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const l = tree.left[i]!;
    if (l !== -1) height[i] = 1 + Math.max(height[l]!, height[tree.right[i]!]!);
  }
  return height;
}

/** The largest number of distinct split features on any root-to-leaf path of the tree. */
export function maxDistinctPathFeatures(tree: FlatTree): number {
  const visit = (node: number, features: ReadonlySet<number>): number => {
    if (tree.left[node] === -1) return features.size;
    const next = new Set(features).add(tree.feature[node]!);
    return Math.max(visit(tree.left[node]!, next), visit(tree.right[node]!, next));
  };
  return visit(0, new Set());
}
