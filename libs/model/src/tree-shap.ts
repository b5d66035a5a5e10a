import { readFile } from 'node:fs/promises';
import { XgboostModelFormatError } from './errors.ts';
import { RecursiveTreeShap } from './tree-shap-recursive.ts';
import { nextNode, parseXgboostTrees, type FlatTree } from './tree-shap-model.ts';
import { TreeShapTables, estimateTableSize, maxDistinctPathFeatures } from './tree-shap-tables.ts';
import { selectTopK } from './top-k.ts';

/** A feature's share of one prediction, for reason codes. */
export interface FeatureContribution {
  /** Column index in the model input. */
  index: number;
  /** The feature's value in the row; NaN = missing. */
  value: number;
  /** SHAP value in margin (log-odds) units. */
  contribution: number;
}

export interface TreeShapOptions {
  /**
   * Trees whose root-to-leaf paths have at most this many distinct features are explained from
   * tables built at load (2^d x d doubles per leaf); deeper ones by the per-row recursion.
   * 0 = recursion only (the reference algorithm, for tests and benchmarks).
   * @default 10
   */
  maxTableDepth?: number;
  /**
   * Height of the subtrees at the bottom of each tree that are explained by one table lookup
   * (2^(inner nodes + distinct features above) table rows each): higher = fewer operations per
   * row, larger tables. Default: the highest of 3, 2, 1, 0 whose tables fit `maxTableEntries`.
   */
  blockHeight?: number;
  /**
   * Memory bound for the default block height, in precomputed doubles.
   * @default 4_000_000 (32 MB)
   */
  maxTableEntries?: number;
}

/** A row-major float32 batch, NaN = missing (the same shape as ScoringMatrix / FeatureMatrix). */
export interface ExplainMatrix {
  data: Float32Array;
  cols: number;
}

/**
 * The top-k reasons of a batch of rows: row i's j-th reason (largest contribution first) is
 * feature `feature[i * k + j]` with `contribution[i * k + j]`. Owned by the explainer and
 * overwritten by its next explainRows call.
 */
export interface ExplainedRows {
  count: number;
  k: number;
  feature: Int32Array;
  contribution: Float64Array;
}

/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, "Consistent Individualized Feature
 * Attribution for Tree Ensembles") over an XGBoost binary:logistic model, read from the JSON that
 * `Booster.save_model('model.json')` writes. It follows XGBoost's own implementation
 * (src/tree/tree_model.cc, TreeShap): the same split rule (`x < threshold` on float32 values goes
 * left, NaN follows default_left), node covers from `sum_hessian`, and the bias term = base margin
 * + every tree's expected value. The contributions of a row sum to its margin (raw log-odds), so
 * they match `Booster.predict(dm, pred_contribs=True)` column for column.
 *
 * Trees of ordinary depth are explained from per-leaf tables built at load (tree-shap-tables.ts),
 * deeper ones by recursion (tree-shap-recursive.ts); both are exact. Not re-entrant: scratch space
 * is shared between calls, which never await.
 */
export class TreeShapExplainer {
  /** Base margin plus every tree's expected value: the contribution column XGBoost calls the bias. */
  readonly bias: number;
  private readonly tables: TreeShapTables;
  private readonly recursive: RecursiveTreeShap;
  /** Trees too deep to tabulate (explained by recursion). */
  private readonly deepTrees: readonly FlatTree[];
  private readonly phi: Float64Array;
  /** A row that is not float32 data yet, rounded to float32 as XGBoost reads it. */
  private readonly row32: Float32Array;
  private batch: ExplainedRows = {
    count: 0,
    k: 0,
    feature: new Int32Array(0),
    contribution: new Float64Array(0),
  };

  private constructor(
    private readonly trees: readonly FlatTree[],
    readonly featureCount: number,
    /** logit(base_score): the margin before any tree. */
    readonly baseMargin: number,
    maxTableDepth: number,
    readonly blockHeight: number,
  ) {
    const tabulated: FlatTree[] = [];
    const deep: FlatTree[] = [];
    for (const tree of trees) {
      (maxTableDepth > 0 && maxDistinctPathFeatures(tree) <= maxTableDepth ? tabulated : deep).push(tree);
    }
    this.tables = new TreeShapTables(tabulated, maxTableDepth, blockHeight);
    this.deepTrees = deep;
    this.recursive = new RecursiveTreeShap(deep.reduce((m, t) => Math.max(m, t.depth), 0));
    this.phi = new Float64Array(featureCount + 1);
    this.row32 = new Float32Array(featureCount);
    this.bias = trees.reduce((sum, t) => sum + t.expected, baseMargin);
  }

  /** Parses save_model JSON (already JSON.parse'd); `source` names it in errors. */
  static fromXgboostJson(
    json: unknown,
    source = 'model.json',
    options: TreeShapOptions = {},
  ): TreeShapExplainer {
    const maxTableDepth = options.maxTableDepth ?? 10;
    if (!Number.isInteger(maxTableDepth) || maxTableDepth < 0 || maxTableDepth > 16) {
      throw new RangeError(`maxTableDepth must be an integer in 0..16, got ${maxTableDepth}`);
    }
    if (
      options.blockHeight !== undefined &&
      !(Number.isInteger(options.blockHeight) && options.blockHeight >= 0 && options.blockHeight <= 4)
    ) {
      throw new RangeError(`blockHeight must be an integer in 0..4, got ${options.blockHeight}`);
    }
    const { trees, featureCount, baseMargin } = parseXgboostTrees(json, source);
    const tabulated = trees.filter((t) => maxTableDepth > 0 && maxDistinctPathFeatures(t) <= maxTableDepth);
    const maxEntries = options.maxTableEntries ?? 4_000_000;
    const blockHeight =
      options.blockHeight ?? [3, 2, 1].find((h) => estimateTableSize(tabulated, h) <= maxEntries) ?? 0;
    return new TreeShapExplainer(trees, featureCount, baseMargin, maxTableDepth, blockHeight);
  }

  /** Reads and parses a model.json file. */
  static async load(file: string, options: TreeShapOptions = {}): Promise<TreeShapExplainer> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new XgboostModelFormatError(file, `cannot read: ${(error as Error).message}`, { cause: error });
    }
    return TreeShapExplainer.fromXgboostJson(parsed, file, options);
  }

  get treeCount(): number {
    return this.trees.length;
  }

  /** How many trees are explained from precomputed tables (the rest by recursion). */
  get tabulatedTreeCount(): number {
    return this.trees.length - this.deepTrees.length;
  }

  /** Precomputed contributions held in memory (8 bytes each). */
  get tableSize(): number {
    return this.tables.tableSize;
  }

  /** The raw margin (log-odds) of a row by plain tree traversal; sigmoid of it is the probability. */
  margin(row: ArrayLike<number>): number {
    let sum = this.baseMargin;
    for (const tree of this.trees) {
      let node = 0;
      while (tree.left[node] !== -1) node = nextNode(tree, node, row);
      sum += tree.value[node]!;
    }
    return sum;
  }

  /**
   * SHAP values of one row: `featureCount + 1` numbers, one per feature then the bias, summing to
   * the row's margin. `row` holds featureCount values (NaN = missing); `out` is reused when given.
   */
  contributions(row: ArrayLike<number>, out = new Float64Array(this.featureCount + 1)): Float64Array {
    this.fill(this.asFloat32(row), 0, out);
    return out;
  }

  /**
   * The k features that pushed this row's score furthest toward fraud: sorted by contribution,
   * largest first (so a flagged row's strongest reasons lead, even when every feature pulls down).
   */
  topContributions(row: ArrayLike<number>, k: number): FeatureContribution[] {
    const phi = this.fill(this.asFloat32(row), 0, this.phi);
    const order = new Int32Array(Math.max(0, Math.min(k, this.featureCount)));
    const n = selectTopK(phi, this.featureCount, k, order);
    const top: FeatureContribution[] = [];
    for (let j = 0; j < n; j++) {
      const index = order[j]!;
      top.push({ index, value: row[index]!, contribution: phi[index]! });
    }
    return top;
  }

  /**
   * Top-k reasons for several rows of one matrix (the flagged rows of a chunk) in one call, into
   * typed arrays that are reused across calls: no allocation per row. k is capped at featureCount.
   */
  explainRows(matrix: ExplainMatrix, rows: ArrayLike<number>, k: number): ExplainedRows {
    if (matrix.cols !== this.featureCount) {
      throw new RangeError(`matrix has ${matrix.cols} columns, the model takes ${this.featureCount}`);
    }
    const kk = Math.max(0, Math.min(k, this.featureCount));
    const count = rows.length;
    let batch = this.batch;
    if (batch.feature.length < count * kk) {
      const capacity = Math.max(count * kk, batch.feature.length * 2);
      batch = { count, k: kk, feature: new Int32Array(capacity), contribution: new Float64Array(capacity) };
      this.batch = batch;
    }
    batch.count = count;
    batch.k = kk;
    const phi = this.phi;
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      if (!(row >= 0 && (row + 1) * matrix.cols <= matrix.data.length)) {
        throw new RangeError(`row ${row} is outside the matrix`);
      }
      this.fill(matrix.data, row * matrix.cols, phi);
      selectTopK(phi, this.featureCount, kk, batch.feature, i * kk);
      for (let j = 0; j < kk; j++) batch.contribution[i * kk + j] = phi[batch.feature[i * kk + j]!]!;
    }
    return batch;
  }

  private asFloat32(row: ArrayLike<number>): Float32Array {
    if (row instanceof Float32Array) return row;
    for (let c = 0; c < this.featureCount; c++) this.row32[c] = row[c]!;
    return this.row32;
  }

  /** Writes the SHAP values of the row at data[offset ..] to phi (features, then the bias). */
  private fill(data: Float32Array, offset: number, phi: Float64Array): Float64Array {
    phi.fill(0);
    phi[this.featureCount] = this.bias;
    this.tables.accumulate(data, offset, phi);
    for (const tree of this.deepTrees) this.recursive.accumulate(tree, data, offset, phi);
    return phi;
  }
}
