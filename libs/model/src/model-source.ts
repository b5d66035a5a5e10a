import path from 'node:path';
import { ModelNotFoundError } from './errors.ts';
import { loadModelDirectory, type LoadModelOptions, type LoadedModel } from './model-directory.ts';
import { readModelRegistry, type ModelRegistry } from './registry.ts';

/**
 * Where the scorer gets models from. A local directory today; an S3 prefix later implements the
 * same two calls (the registry is small and polled; a version is fetched once and cached).
 */
export interface ModelSource {
  readonly description: string;
  readRegistry(): Promise<ModelRegistry>;
  loadVersion(version: string, options: LoadModelOptions): Promise<LoadedModel>;
}

/** A models directory holding registry.json and one sub-directory per version. */
export class LocalModelSource implements ModelSource {
  readonly description: string;

  constructor(readonly modelsDir: string) {
    this.description = `local:${path.resolve(modelsDir)}`;
  }

  readRegistry(): Promise<ModelRegistry> {
    return readModelRegistry(this.modelsDir);
  }

  async loadVersion(version: string, options: LoadModelOptions): Promise<LoadedModel> {
    const registry = await this.readRegistry();
    const entry = registry.versions.find((v) => v.version === version);
    if (!entry)
      throw new ModelNotFoundError(`${this.description}: version "${version}" is not in registry.json`);
    return loadModelDirectory(path.join(this.modelsDir, entry.path), options);
  }
}
