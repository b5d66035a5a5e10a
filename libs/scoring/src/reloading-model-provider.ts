import {
  FeatureFingerprintMismatchError,
  ManifestValidationError,
  type LoadModelOptions,
  type ModelRegistry,
  type ModelSource,
} from '@fraud/model';
import type { Logger, ScorerMetrics } from '@fraud/observability';
import type { ActiveModel, ModelProvider } from './active-model.ts';
import { MODEL_SERVING_DEFAULTS, OnnxActiveModel } from './onnx-active-model.ts';

/** The model metrics the provider keeps: reload outcomes and the model-info gauge. */
export type ModelProviderMetrics = Pick<ScorerMetrics, 'modelReloads' | 'modelInfo'>;

export type ModelRole = 'champion' | 'challenger';

export interface ReloadingModelProviderOptions {
  source: ModelSource;
  /** The running feature code's fingerprint and names: a model for other features is refused. */
  loadOptions: LoadModelOptions;
  logger: Logger;
  metrics: ModelProviderMetrics;
  /**
   * How often the registry is re-read; 0 = load once and never poll.
   * @default 5000
   */
  pollIntervalMs?: number;
  /** Serve this version as champion for the life of the process (MODEL_VERSION). */
  pinnedChampion?: string | undefined;
  /**
   * Score the registry's challenger in shadow.
   * @default true
   */
  shadowEnabled?: boolean;
  /** @default 3 */
  reasonCodesTopK?: number;
  /**
   * Rows of the warm-up batch each new model runs before it is swapped in (the scorer's batch size).
   * @default 512
   */
  warmRows?: number;
}

/** A version the registry asked for that could not be loaded; not retried until the registry changes. */
interface Refusal {
  registryUpdated: string;
  version: string;
}

/**
 * Serves the registry's champion (and challenger) and follows promotions without a restart: a
 * timer re-reads the registry through the ModelSource; a newly named model is loaded, checked
 * against the running feature code and warmed OFF the hot path, then swapped in with one reference
 * assignment. Batches call current() once, so a batch runs wholly on the old or the new model;
 * the old one is closed when its last batch releases it.
 *
 * A model made for other feature code (fingerprint or feature names differ) is refused: logged,
 * counted in fraud_model_reload_total{result="refused"}, and the running model is kept.
 */
export class ReloadingModelProvider implements ModelProvider {
  private champion: OnnxActiveModel;
  private shadow: OnnxActiveModel | undefined;
  private readonly options: Required<Omit<ReloadingModelProviderOptions, 'pinnedChampion'>> & {
    pinnedChampion: string | undefined;
  };
  private readonly refusals = new Map<ModelRole, Refusal>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(options: ReloadingModelProviderOptions, champion: OnnxActiveModel) {
    this.options = {
      pollIntervalMs: 5_000,
      shadowEnabled: true,
      ...MODEL_SERVING_DEFAULTS,
      ...options,
      pinnedChampion: options.pinnedChampion,
    };
    this.champion = champion;
  }

  /**
   * Loads the champion (a failure here fails the start: fail fast) and the challenger (a failure
   * here is logged and the scorer runs without one), then starts polling.
   */
  static async start(options: ReloadingModelProviderOptions): Promise<ReloadingModelProvider> {
    const registry = await options.source.readRegistry();
    const version = options.pinnedChampion ?? registry.champion;
    const champion = await loadWarm(options, version);
    const provider = new ReloadingModelProvider(options, champion);
    provider.setInfo(champion, 'champion', 1);
    options.logger.info(
      {
        modelVersion: version,
        source: options.source.description,
        pinned: options.pinnedChampion !== undefined,
      },
      'model loaded',
    );
    const challenger = provider.wantedChallenger(registry, champion.version);
    if (challenger !== undefined) {
      const loaded = await provider.tryLoad(registry, challenger, 'challenger', false);
      if (loaded) {
        provider.shadow = loaded;
        provider.setInfo(loaded, 'challenger', 1);
        options.logger.info({ modelVersion: challenger }, 'challenger loaded');
      }
    }
    provider.schedule();
    return provider;
  }

  current(): ActiveModel {
    return this.champion;
  }

  challenger(): ActiveModel | undefined {
    return this.shadow;
  }

  /**
   * Reads the registry once and swaps in whatever changed. Polls never overlap; a call while one
   * runs returns that one. Exposed for tests and for an explicit reload signal.
   */
  poll(): Promise<void> {
    this.polling ??= this.doPoll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private schedule(): void {
    if (this.options.pollIntervalMs <= 0 || this.closing) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, this.options.pollIntervalMs);
    this.timer.unref();
  }

  private wantedChallenger(registry: ModelRegistry, champion: string): string | undefined {
    if (!this.options.shadowEnabled) return undefined;
    return registry.challenger !== undefined && registry.challenger !== champion
      ? registry.challenger
      : undefined;
  }

  private async doPoll(): Promise<void> {
    const { source, logger, metrics } = this.options;
    let registry: ModelRegistry;
    try {
      registry = await source.readRegistry();
    } catch (error) {
      metrics.modelReloads.inc({ role: 'registry', result: 'failed' });
      logger.warn({ err: error, source: source.description }, 'model registry unreadable; keeping models');
      return;
    }
    const oldChampion = this.champion;
    const oldChallenger = this.shadow;
    const have = new Map<string, OnnxActiveModel>([[oldChampion.version, oldChampion]]);
    if (oldChallenger) have.set(oldChallenger.version, oldChallenger);

    // Load everything new first (off the hot path), then swap both references at once.
    const wantedChampion = this.options.pinnedChampion ?? registry.champion;
    let champion = have.get(wantedChampion);
    let loadedChampion = false;
    if (!champion) {
      champion = await this.tryLoad(registry, wantedChampion, 'champion', true);
      loadedChampion = champion !== undefined;
      champion ??= oldChampion;
    }
    const wantedChallenger = this.wantedChallenger(registry, champion.version);
    let challenger: OnnxActiveModel | undefined;
    let loadedChallenger = false;
    if (wantedChallenger !== undefined) {
      challenger = have.get(wantedChallenger);
      if (!challenger) {
        challenger = await this.tryLoad(registry, wantedChallenger, 'challenger', true);
        loadedChallenger = challenger !== undefined;
        // Refused: keep shadowing the old challenger if it still differs from the champion.
        if (!challenger && oldChallenger && oldChallenger !== champion) challenger = oldChallenger;
      }
    }
    if (this.closing) {
      // Shut down while loading: close what was loaded for nothing.
      if (loadedChampion) await champion.close();
      if (loadedChallenger) await challenger?.close();
      return;
    }
    if (champion === oldChampion && challenger === oldChallenger) return;

    this.champion = champion;
    this.shadow = challenger;
    for (const [model, role] of [
      [oldChampion, 'champion'],
      [oldChallenger, 'challenger'],
    ] as const) {
      if (model) this.setInfo(model, role, 0);
    }
    this.setInfo(champion, 'champion', 1);
    if (challenger) this.setInfo(challenger, 'challenger', 1);
    for (const model of [oldChampion, oldChallenger]) {
      if (model && model !== champion && model !== challenger) model.retire();
    }
    if (champion !== oldChampion) {
      logger.info({ role: 'champion', from: oldChampion.version, to: champion.version }, 'model swapped');
    }
    if (challenger !== oldChallenger) {
      logger.info(
        { role: 'challenger', from: oldChallenger?.version ?? null, to: challenger?.version ?? null },
        'model swapped',
      );
    }
  }

  /**
   * Loads and warms a version; undefined (logged, counted) when it is refused or fails. A version
   * refused once is not retried until registry.json changes (its `updated` stamp).
   */
  private async tryLoad(
    registry: ModelRegistry,
    version: string,
    role: ModelRole,
    reload: boolean,
  ): Promise<OnnxActiveModel | undefined> {
    const { logger, metrics } = this.options;
    const refused = this.refusals.get(role);
    if (refused && refused.version === version && refused.registryUpdated === registry.updated)
      return undefined;
    const started = performance.now();
    try {
      const model = await loadWarm(this.options, version);
      this.refusals.delete(role);
      if (reload) metrics.modelReloads.inc({ role, result: 'success' });
      logger.info(
        { role, modelVersion: version, loadMs: Math.round(performance.now() - started) },
        'model warmed',
      );
      return model;
    } catch (error) {
      const result =
        error instanceof FeatureFingerprintMismatchError ||
        (error instanceof ManifestValidationError && error.field === 'feature_names')
          ? 'refused'
          : 'failed';
      this.refusals.set(role, { version, registryUpdated: registry.updated });
      metrics.modelReloads.inc({ role, result });
      logger.error(
        {
          err: error,
          role,
          modelVersion: version,
          result,
          keeping: role === 'champion' ? this.champion?.version : (this.shadow?.version ?? null),
        },
        result === 'refused' ? 'model refused: other feature set' : 'model load failed',
      );
      return undefined;
    }
  }

  private setInfo(model: OnnxActiveModel, role: ModelRole, value: 0 | 1): void {
    const labels = { model_version: model.version, feature_set: model.featureFingerprint, role };
    if (value === 1) this.options.metrics.modelInfo.set(labels, 1);
    else this.options.metrics.modelInfo.remove(labels);
  }

  /** Stops polling, waits for a poll in flight, closes every model. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.timer);
      await this.polling?.catch(() => undefined);
      const models = new Set([this.champion, this.shadow].filter((m) => m !== undefined));
      for (const model of models) await model.close();
    })();
    return this.closing;
  }
}

async function loadWarm(
  options: Pick<ReloadingModelProviderOptions, 'source' | 'loadOptions' | 'reasonCodesTopK' | 'warmRows'>,
  version: string,
): Promise<OnnxActiveModel> {
  const loaded = await options.source.loadVersion(version, options.loadOptions);
  const model = await OnnxActiveModel.create(loaded, { reasonCodesTopK: options.reasonCodesTopK });
  try {
    await model.warm(options.warmRows);
  } catch (error) {
    await model.close();
    throw error;
  }
  return model;
}
