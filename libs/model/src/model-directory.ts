import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  FeatureFingerprintMismatchError,
  ManifestValidationError,
  ModelNotExplainableError,
  ModelNotFoundError,
} from './errors.ts';
import { checkModelInputs } from './input-fields.ts';
import { MODEL_FILES, modelManifestSchema, type ModelManifest } from './manifest.ts';
import { parseModelJsonFile } from './schema-file.ts';
import { parseXgboostTrees } from './tree-shap-model.ts';

export interface LoadModelOptions {
  /**
   * FEATURE_SET_FINGERPRINT of the feature code in this process. A model trained on another
   * feature set would silently score garbage, so loading refuses it.
   */
  expectedFeatureFingerprint: string;
  /** When given, the manifest's input order must equal these names exactly. */
  expectedFeatureNames?: readonly string[];
  /**
   * The optional Transaction fields the stream provides (balances, channel, ...). When given, a
   * model that reads any other field is refused (ModelInputsUnavailableError).
   */
  streamFields?: readonly string[];
  /**
   * Refuse a model whose reason codes cannot be computed (ModelNotExplainableError): its selected
   * candidate is not XGBoost, or its XGBoost JSON does not parse into trees over the manifest's
   * features. Promotion sets it, so a non-explainable model never becomes champion or challenger.
   */
  requireExplainable?: boolean;
}

/** A validated model directory with its ONNX bytes in memory. */
export interface LoadedModel {
  directory: string;
  manifest: ModelManifest;
  onnxModel: Uint8Array;
  /** XGBoost's own model JSON (for TreeSHAP reason codes); read lazily by who needs it. */
  xgboostJsonPath: string;
}

async function readOrThrow(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ModelNotFoundError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      {
        cause: error,
      },
    );
  }
}

/** Reads and validates `<dir>/manifest.json` without loading the model itself. */
export async function readManifest(directory: string): Promise<ModelManifest> {
  const file = path.join(directory, MODEL_FILES.manifest);
  return parseModelJsonFile(modelManifestSchema, (await readOrThrow(file)).toString('utf8'), file);
}

/** Loads a model directory, refusing a manifest that is invalid or made for other feature code. */
export async function loadModelDirectory(directory: string, options: LoadModelOptions): Promise<LoadedModel> {
  const manifest = await readManifest(directory);
  if (manifest.feature_set_fingerprint !== options.expectedFeatureFingerprint) {
    throw new FeatureFingerprintMismatchError(
      directory,
      manifest.feature_set_fingerprint,
      options.expectedFeatureFingerprint,
    );
  }
  const expected = options.expectedFeatureNames;
  if (expected && expected.join('\u0000') !== manifest.feature_names.join('\u0000')) {
    throw new ManifestValidationError(
      path.join(directory, MODEL_FILES.manifest),
      'feature_names',
      `[${manifest.feature_names.join(', ')}] differ from this code's [${expected.join(', ')}]`,
    );
  }
  if (options.streamFields) checkModelInputs(manifest, options.streamFields);
  if (options.requireExplainable) await checkExplainable(directory, manifest);
  const onnxModel = await readOrThrow(path.join(directory, manifest.files.onnx));
  return {
    directory,
    manifest,
    onnxModel: new Uint8Array(onnxModel.buffer, onnxModel.byteOffset, onnxModel.byteLength),
    xgboostJsonPath: path.join(directory, manifest.files.xgboost_json),
  };
}

/** Parses the model's XGBoost JSON the way the scorer's TreeSHAP will, or throws ModelNotExplainableError. */
export async function checkExplainable(directory: string, manifest: ModelManifest): Promise<void> {
  const selected = manifest.candidates?.find((c) => c.selected);
  if (selected && selected.algorithm !== 'xgboost') {
    throw new ModelNotExplainableError(
      directory,
      `the exported candidate is ${selected.algorithm}, not xgboost`,
    );
  }
  const file = path.join(directory, manifest.files.xgboost_json);
  let trees;
  try {
    trees = parseXgboostTrees(JSON.parse((await readOrThrow(file)).toString('utf8')), file);
  } catch (error) {
    throw new ModelNotExplainableError(directory, (error as Error).message, { cause: error });
  }
  if (trees.featureCount !== manifest.feature_names.length) {
    throw new ModelNotExplainableError(
      directory,
      `${file} has ${trees.featureCount} features, the manifest ${manifest.feature_names.length}`,
    );
  }
}
