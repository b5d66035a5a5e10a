import { describe, expect, it } from 'vitest';
import { ManifestValidationError } from './errors.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { validManifest } from './testing/valid-manifest.ts';

/** Lets a test write wrong types into a manifest. */
const bad = <T>(value: unknown): T => value as T;

function expectInvalid(mutate: (m: ModelManifest) => void, field: string): void {
  const m = structuredClone(validManifest());
  mutate(m);
  let caught: unknown;
  try {
    validateManifest(m, 'models/x/manifest.json');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ManifestValidationError);
  expect((caught as ManifestValidationError).field).toBe(field);
  expect((caught as Error).message).toContain('models/x/manifest.json');
  expect((caught as Error).message).toContain(field);
}

describe('validateManifest', () => {
  it('accepts a complete manifest', () => {
    expect(validateManifest(validManifest()).version).toBe('20250101-000000-abcdef01');
  });

  it('names the file and the first bad field', () => {
    expectInvalid((m) => (m.feature_names = bad(undefined)), 'feature_names');
    expectInvalid((m) => (m.feature_names = ['a', 'a']), 'feature_names');
    expectInvalid((m) => (m.schema_version = bad(2)), 'schema_version');
    expectInvalid((m) => (m.version = '../evil'), 'version');
    expectInvalid((m) => (m.thresholds.block = 1.5), 'thresholds.block');
    expectInvalid((m) => (m.thresholds = { review: 0.9, block: 0.5 }), 'thresholds');
    expectInvalid((m) => (m.metrics.test.pr_auc = bad('high')), 'metrics.test.pr_auc');
    expectInvalid((m) => (m.metrics.test.block.confusion = bad(undefined)), 'metrics.test.block.confusion');
    expectInvalid((m) => (m.parity.max_abs_diff = 1e-3), 'parity.max_abs_diff');
    expectInvalid((m) => (m.training_data.sha256 = 'nope'), 'training_data.sha256');
    expectInvalid((m) => (m.onnx.input_name = bad(undefined)), 'onnx.input_name');
    expectInvalid((m) => (m.files.onnx = '../model.onnx'), 'files.onnx');
    expectInvalid((m) => (m.created = 'yesterday'), 'created');
  });
});
