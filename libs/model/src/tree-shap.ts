import { readFile } from 'node:fs/promises';
import { XgboostModelFormatError } from './errors.ts';

/**
 * One regression tree of an XGBoost model in flat arrays (node i = index i), as save_model's JSON
 * stores it. Leaves have left = right = -1 and their value in `value`.
 */
interface FlatTree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  /** float32 split thresholds: XGBoost compares float32 feature values with float32 thresholds. */
  threshold: Float32Array;
  defaultLeft: Uint8Array;
  /** Hessian sum of the training rows that reached the node ("cover"). */
  cover: Float64Array;
  /** Leaf value (already scaled by the learning rate); unused for inner nodes. */
  value: Float64Array;
  /** Expected output of the tree under the cover distribution (XGBoost's node mean value of the root). */
  expected: number;
  depth: number;
}

/** A feature's share of one prediction, for reason codes. */
export interface FeatureContribution {
  /** Column index in the model input. */
  index: number;
  /** The feature's value in the row; NaN = missing. */
  value: number;
  /** SHAP value in margin (log-odds) units. */
  contribution: number;
}

type Json = Record<string, unknown>;

function field(value: unknown, name: string, source: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new XgboostModelFormatError(source, `${name} must be an object`);
  }
  return value as Json;
}

function numbers(tree: Json, key: string, length: number, source: string, at: string): number[] {
  const value = tree[key];
  if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'number')) {
    throw new XgboostModelFormatError(source, `${at}.${key} must be ${length} numbers`);
  }
  return value as number[];
}

/** XGBoost writes scalars in learner_model_param as strings, base_score as "[1.2E-1]" since 3.0. */
function parseScalar(value: unknown, name: string, source: string): number {
  const n = typeof value === 'string' ? Number(value.replace(/^\[|\]$/g, '')) : Number(value);
  if (!Number.isFinite(n)) throw new XgboostModelFormatError(source, `${name} is not a number`);
  return n;
}

function parseTree(raw: unknown, featureCount: number, source: string, at: string): FlatTree {
  const tree = field(raw, at, source);
  const left = numbers(
    tree,
    'left_children',
    (tree.left_children as unknown[] | undefined)?.length ?? -1,
    source,
    at,
  );
  const n = left.length;
  if (n === 0) throw new XgboostModelFormatError(source, `${at} has no nodes`);
  const right = numbers(tree, 'right_children', n, source, at);
  const feature = numbers(tree, 'split_indices', n, source, at);
  const conditions = numbers(tree, 'split_conditions', n, source, at);
  const defaultLeft = numbers(tree, 'default_left', n, source, at);
  const hessian = numbers(tree, 'sum_hessian', n, source, at);
  const splitType = tree.split_type;
  if (Array.isArray(splitType) && splitType.some((t) => t !== 0)) {
    throw new XgboostModelFormatError(
      source,
      `${at} has categorical splits, which TreeSHAP here does not support`,
    );
  }
  const flat: FlatTree = {
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(conditions),
    defaultLeft: Uint8Array.from(defaultLeft),
    cover: Float64Array.from(hessian),
    value: Float64Array.from(conditions),
    expected: 0,
    depth: 0,
  };
  for (let i = 0; i < n; i++) {
    const isLeaf = flat.left[i] === -1;
    if (isLeaf !== (flat.right[i] === -1))
      throw new XgboostModelFormatError(source, `${at} node ${i} has one child`);
    if (!isLeaf) {
      for (const child of [flat.left[i]!, flat.right[i]!]) {
        if (child <= i || child >= n)
          throw new XgboostModelFormatError(source, `${at} node ${i} has a bad child index`);
      }
      if (flat.feature[i]! < 0 || flat.feature[i]! >= featureCount) {
        throw new XgboostModelFormatError(source, `${at} node ${i} splits on feature ${flat.feature[i]}`);
      }
    }
  }
  // Node mean values bottom-up (children have larger indices), weighted by cover exactly as
  // XGBoost's FillNodeMeanValues does: the tree's expected value goes into the bias term.
  const mean = new Float64Array(n);
  const depth = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const l = flat.left[i]!;
    if (l === -1) {
      mean[i] = flat.value[i]!;
    } else {
      const r = flat.right[i]!;
      mean[i] = (mean[l]! * flat.cover[l]! + mean[r]! * flat.cover[r]!) / flat.cover[i]!;
      depth[i] = 1 + Math.max(depth[l]!, depth[r]!);
    }
  }
  flat.expected = mean[0]!;
  flat.depth = depth[0]!;
  return flat;
}

/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, "Consistent Individualized Feature
 * Attribution for Tree Ensembles", Algorithm 2) over an XGBoost binary:logistic model, read from
 * the JSON that `Booster.save_model('model.json')` writes. It follows XGBoost's own implementation
 * (src/tree/tree_model.cc, TreeShap): the same split rule (`x < threshold` goes left, NaN follows
 * default_left), node covers from `sum_hessian`, and the bias term = base margin + every tree's
 * expected value. The contributions of a row sum to its margin (raw log-odds), so they match
 * `Booster.predict(dm, pred_contribs=True)` column for column.
 */
export class TreeShapExplainer {
  /** Path scratch space, reused across calls: the explainer is not re-entrant (it never awaits). */
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  /** Base margin plus every tree's expected value: the contribution column XGBoost calls the bias. */
  readonly bias: number;

  private constructor(
    private readonly trees: readonly FlatTree[],
    readonly featureCount: number,
    /** logit(base_score): the margin before any tree. */
    readonly baseMargin: number,
  ) {
    const maxDepth = trees.reduce((m, t) => Math.max(m, t.depth), 0);
    // Level d's path starts 1 + 2 + ... + (d + 1) slots in and holds d + 1 elements.
    const slots = ((maxDepth + 3) * (maxDepth + 4)) / 2;
    this.pathFeature = new Int32Array(slots);
    this.pathZero = new Float64Array(slots);
    this.pathOne = new Float64Array(slots);
    this.pathWeight = new Float64Array(slots);
    this.bias = trees.reduce((sum, t) => sum + t.expected, baseMargin);
  }

  /** Parses save_model JSON (already JSON.parse'd); `source` names it in errors. */
  static fromXgboostJson(json: unknown, source = 'model.json'): TreeShapExplainer {
    const learner = field(field(json, '(root)', source).learner, 'learner', source);
    const objective = field(learner.objective, 'learner.objective', source);
    if (objective.name !== 'binary:logistic') {
      throw new XgboostModelFormatError(source, `objective ${String(objective.name)} is not binary:logistic`);
    }
    const params = field(learner.learner_model_param, 'learner.learner_model_param', source);
    const featureCount = parseScalar(params.num_feature, 'num_feature', source);
    const baseScore = parseScalar(params.base_score, 'base_score', source);
    if (!(baseScore > 0 && baseScore < 1)) {
      throw new XgboostModelFormatError(source, `base_score ${baseScore} is not a probability`);
    }
    const booster = field(learner.gradient_booster, 'learner.gradient_booster', source);
    if (booster.name !== 'gbtree') {
      throw new XgboostModelFormatError(source, `booster ${String(booster.name)} is not gbtree`);
    }
    const model = field(booster.model, 'learner.gradient_booster.model', source);
    if (!Array.isArray(model.trees) || model.trees.length === 0) {
      throw new XgboostModelFormatError(source, 'gradient_booster.model.trees must be a non-empty array');
    }
    const trees = model.trees.map((t, i) => parseTree(t, featureCount, source, `trees[${i}]`));
    return new TreeShapExplainer(trees, featureCount, Math.log(baseScore / (1 - baseScore)));
  }

  /** Reads and parses a model.json file. */
  static async load(file: string): Promise<TreeShapExplainer> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new XgboostModelFormatError(file, `cannot read: ${(error as Error).message}`, { cause: error });
    }
    return TreeShapExplainer.fromXgboostJson(parsed, file);
  }

  get treeCount(): number {
    return this.trees.length;
  }

  /** The raw margin (log-odds) of a row by plain tree traversal; sigmoid of it is the probability. */
  margin(row: ArrayLike<number>): number {
    let sum = this.baseMargin;
    for (const tree of this.trees) {
      let node = 0;
      while (tree.left[node] !== -1) node = this.next(tree, node, row);
      sum += tree.value[node]!;
    }
    return sum;
  }

  /**
   * SHAP values of one row: `featureCount + 1` numbers, one per feature then the bias, summing to
   * the row's margin. `row` holds featureCount values (NaN = missing); `out` is reused when given.
   */
  contributions(row: ArrayLike<number>, out = new Float64Array(this.featureCount + 1)): Float64Array {
    out.fill(0);
    out[this.featureCount] = this.bias;
    for (const tree of this.trees) {
      if (tree.left[0] === -1) continue; // a single leaf only shifts the bias
      this.recurse(tree, row, out, 0, 0, 0, 1, 1, -1);
    }
    return out;
  }

  /**
   * The k features that pushed this row's score furthest toward fraud: sorted by contribution,
   * largest first (so a flagged row's strongest reasons lead, even when every feature pulls down).
   */
  topContributions(row: ArrayLike<number>, k: number): FeatureContribution[] {
    const phi = this.contributions(row);
    const order = Array.from({ length: this.featureCount }, (_, i) => i);
    order.sort((a, b) => phi[b]! - phi[a]! || a - b);
    return order.slice(0, Math.max(0, k)).map((index) => ({
      index,
      value: row[index]!,
      contribution: phi[index]!,
    }));
  }

  private next(tree: FlatTree, node: number, row: ArrayLike<number>): number {
    const x = row[tree.feature[node]!]!;
    if (Number.isNaN(x)) return tree.defaultLeft[node] ? tree.left[node]! : tree.right[node]!;
    return x < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }

  /**
   * Algorithm 2's RECURSE. The path of a call lives at `at` in the scratch arrays and holds
   * `depth + 1` elements; a child's path is copied to `at + depth + 1`.
   */
  private recurse(
    tree: FlatTree,
    row: ArrayLike<number>,
    phi: Float64Array,
    node: number,
    parentAt: number,
    depth: number,
    zeroFraction: number,
    oneFraction: number,
    featureIndex: number,
  ): void {
    const { pathFeature, pathZero, pathOne, pathWeight } = this;
    // As in XGBoost: this call's path starts depth + 1 slots after the parent's, which it copies.
    const at = parentAt + depth + 1;
    for (let i = 0; i < depth; i++) {
      pathFeature[at + i] = pathFeature[parentAt + i]!;
      pathZero[at + i] = pathZero[parentAt + i]!;
      pathOne[at + i] = pathOne[parentAt + i]!;
      pathWeight[at + i] = pathWeight[parentAt + i]!;
    }
    this.extend(at, depth, zeroFraction, oneFraction, featureIndex);

    if (tree.left[node] === -1) {
      const leaf = tree.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(at, depth, i);
        phi[pathFeature[at + i]!]! += w * (pathOne[at + i]! - pathZero[at + i]!) * leaf;
      }
      return;
    }

    const split = tree.feature[node]!;
    const hot = this.next(tree, node, row);
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
      this.unwind(at, uniqueDepth, pathIndex);
      uniqueDepth -= 1;
    }
    this.recurse(tree, row, phi, hot, at, uniqueDepth + 1, hotZero * incomingZero, incomingOne, split);
    this.recurse(tree, row, phi, cold, at, uniqueDepth + 1, coldZero * incomingZero, 0, split);
  }

  private extend(at: number, depth: number, zero: number, one: number, feature: number): void {
    const { pathFeature, pathZero, pathOne, pathWeight } = this;
    pathFeature[at + depth] = feature;
    pathZero[at + depth] = zero;
    pathOne[at + depth] = one;
    pathWeight[at + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      pathWeight[at + i + 1]! += (one * pathWeight[at + i]! * (i + 1)) / (depth + 1);
      pathWeight[at + i] = (zero * pathWeight[at + i]! * (depth - i)) / (depth + 1);
    }
  }

  private unwind(at: number, depth: number, pathIndex: number): void {
    const { pathFeature, pathZero, pathOne, pathWeight } = this;
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

  private unwoundSum(at: number, depth: number, pathIndex: number): number {
    const { pathZero, pathOne, pathWeight } = this;
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
