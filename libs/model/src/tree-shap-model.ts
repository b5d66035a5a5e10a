import { XgboostModelFormatError } from './errors.ts';

/**
 * One regression tree of an XGBoost model in flat arrays (node i = index i), as save_model's JSON
 * stores it. Leaves have left = right = -1 and their value in `value`. Children always have larger
 * indices than their parent (checked at parse time), which the explainers rely on.
 */
export interface FlatTree {
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

/** The parts of a binary:logistic gbtree model that TreeSHAP needs. */
export interface XgboostTrees {
  trees: FlatTree[];
  featureCount: number;
  /** logit(base_score): the margin before any tree. */
  baseMargin: number;
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

/** Parses save_model JSON (already JSON.parse'd); `source` names it in errors. */
export function parseXgboostTrees(json: unknown, source: string): XgboostTrees {
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
  return { trees, featureCount, baseMargin: Math.log(baseScore / (1 - baseScore)) };
}

/**
 * The child a row goes to at inner node `node`: XGBoost's split rule on float32 values
 * (`x < threshold` goes left, NaN follows default_left). The row starts at `row[offset]`.
 */
export function nextNode(tree: FlatTree, node: number, row: ArrayLike<number>, offset = 0): number {
  const x = row[offset + tree.feature[node]!]!;
  if (Number.isNaN(x)) return tree.defaultLeft[node] ? tree.left[node]! : tree.right[node]!;
  return Math.fround(x) < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
}
