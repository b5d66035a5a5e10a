import path from 'node:path';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT, type FeatureMatrix } from '@fraud/features';
import { LocalModelSource, OnnxScorer, type LoadedModel } from '@fraud/model';
import type { Logger } from '@fraud/observability';
import type { ActiveModel, ModelProvider } from './active-model.ts';
import type { ScorerConfig } from './config.ts';

/** An ONNX model directory as the scorer uses it. */
export class OnnxActiveModel implements ActiveModel {
  private constructor(
    readonly loaded: LoadedModel,
    private readonly scorer: OnnxScorer,
  ) {}

  static async create(loaded: LoadedModel): Promise<OnnxActiveModel> {
    return new OnnxActiveModel(loaded, await OnnxScorer.fromModel(loaded));
  }

  get version(): string {
    return this.loaded.manifest.version;
  }

  get featureFingerprint(): string {
    return this.loaded.manifest.feature_set_fingerprint;
  }

  get thresholds() {
    return this.loaded.manifest.thresholds;
  }

  score(matrix: FeatureMatrix): Promise<Float32Array> {
    return this.scorer.scoreBatch(matrix);
  }

  close(): Promise<void> {
    return this.scorer.close();
  }
}

/**
 * Serves one model for the life of the process: MODEL_VERSION when set, else the registry's
 * champion. A model trained on other feature code is refused at start (the loader compares the
 * feature-set fingerprint). Hot reload replaces this provider with one that watches the registry.
 */
export class StaticModelProvider implements ModelProvider {
  constructor(private readonly model: OnnxActiveModel) {}

  current(): ActiveModel {
    return this.model;
  }

  close(): Promise<void> {
    return this.model.close();
  }
}

export async function loadModelProvider(
  config: ScorerConfig['model'],
  logger: Logger,
): Promise<ModelProvider> {
  const source = new LocalModelSource(path.resolve(config.registryDir));
  const version = config.version ?? (await source.readRegistry()).champion;
  const loaded = await source.loadVersion(version, {
    expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
    expectedFeatureNames: FEATURE_NAMES,
  });
  logger.info({ modelVersion: version, source: source.description }, 'model loaded');
  return new StaticModelProvider(await OnnxActiveModel.create(loaded));
}
