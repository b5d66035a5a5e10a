import type { LoadModelOptions, ModelSource } from '@fraud/model';
import type { Logger } from '@fraud/observability';
import {
  ReloadingModelProvider,
  type ActiveModel,
  type ModelProvider,
  type ModelProviderMetrics,
} from '@fraud/scoring';
import { ScoringUnavailableError } from './errors.ts';

export interface ModelHolderOptions {
  source: ModelSource;
  loadOptions: LoadModelOptions;
  logger: Logger;
  metrics: ModelProviderMetrics;
  pollIntervalMs: number;
  pinnedChampion: string | undefined;
  reasonCodesTopK: number;
  warmRows: number;
  /**
   * Delay between attempts while no model could be loaded at all.
   * @default 1000
   */
  retryMs?: number;
}

/**
 * The scorer's ReloadingModelProvider (hot reload, fingerprint checks), started so that the API
 * can run WITHOUT a model: the scorer refuses to start then, but an HTTP service should answer
 * `/healthz`, report `/readyz` false and answer 503 model_unavailable until a model appears.
 * Once a champion is loaded, reloads are the provider's own (a bad new model keeps the old one).
 * The API never shadows a challenger: it would double the inference on the latency path.
 */
export class ModelHolder implements ModelProvider {
  private provider: ReloadingModelProvider | undefined;
  private lastError: unknown;
  private timer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private closed = false;

  private constructor(private readonly options: ModelHolderOptions) {}

  /** Tries once now (awaited), then keeps retrying in the background until a model loads. */
  static async start(options: ModelHolderOptions): Promise<ModelHolder> {
    const holder = new ModelHolder(options);
    await holder.attempt();
    return holder;
  }

  private attempt(): Promise<void> {
    this.starting ??= (async () => {
      const { logger } = this.options;
      try {
        const provider = await ReloadingModelProvider.start({
          source: this.options.source,
          loadOptions: this.options.loadOptions,
          logger,
          metrics: this.options.metrics,
          pollIntervalMs: this.options.pollIntervalMs,
          pinnedChampion: this.options.pinnedChampion,
          shadowEnabled: false,
          reasonCodesTopK: this.options.reasonCodesTopK,
          warmRows: this.options.warmRows,
        });
        if (this.closed) {
          await provider.close();
          return;
        }
        this.provider = provider;
        this.lastError = undefined;
      } catch (error) {
        this.lastError = error;
        logger.error({ err: error, source: this.options.source.description }, 'no model loaded; retrying');
        if (!this.closed) {
          this.timer = setTimeout(() => void this.attempt(), this.options.retryMs ?? 1_000);
          this.timer.unref();
        }
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  /** True once a champion is loaded. */
  get loaded(): boolean {
    return this.provider !== undefined;
  }

  /** Why no model is loaded (for /readyz), or undefined. */
  get unavailableReason(): string | undefined {
    if (this.provider) return undefined;
    return this.lastError instanceof Error ? this.lastError.message : 'no model loaded yet';
  }

  current(): ActiveModel {
    if (!this.provider) {
      throw new ScoringUnavailableError('model_unavailable', 'no model is loaded', { cause: this.lastError });
    }
    return this.provider.current();
  }

  /** Re-reads the registry now (tests; an explicit reload signal). */
  async poll(): Promise<void> {
    if (this.provider) await this.provider.poll();
    else await this.attempt();
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    return (async () => {
      await this.starting?.catch(() => undefined);
      await this.provider?.close();
    })();
  }
}
