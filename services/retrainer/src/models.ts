import path from 'node:path';
import { FEATURE_NAMES, FEATURE_SET_FINGERPRINT } from '@fraud/features';
import { loadModelDirectory, readModelRegistry, type LoadedModel, type ModelRegistry } from '@fraud/model';

/**
 * Loads a registry version the way the scorers would: a model made for other feature code
 * (fingerprint or column order) is refused with FeatureFingerprintMismatchError /
 * ManifestValidationError, so nothing the scorers would refuse is ever registered or promoted.
 */
export async function loadRegistryVersion(
  modelsDir: string,
  registry: ModelRegistry,
  version: string,
): Promise<LoadedModel> {
  const entry = registry.versions.find((v) => v.version === version);
  if (!entry) throw new Error(`version ${version} is not in ${path.join(modelsDir, 'registry.json')}`);
  return loadModelDirectory(path.join(modelsDir, entry.path), {
    expectedFeatureFingerprint: FEATURE_SET_FINGERPRINT,
    expectedFeatureNames: FEATURE_NAMES,
    requireExplainable: true,
  });
}

export { readModelRegistry };
